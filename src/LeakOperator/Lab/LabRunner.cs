using System.Diagnostics;
using System.Runtime.InteropServices;
using LeakOperator.Diagnostics;
using LeakOperator.Leaks;
using LeakOperator.Leaks.Injections;
using LeakOperator.Leaks.Readings;
using LeakOperator.Leaks.Tasks.Patterns;

namespace LeakOperator.Lab;

/// <summary>
/// Races every chosen leak in leaky and safe mode at once, samples them after forced full GCs, then releases
/// everything and checks the process came back. Knows nothing of how results are shown.
/// </summary>
/// <param name="servingPort">The port the lab serves /metrics on: its sockets (a scraper's keep-alive connection) are
/// the lab's own plumbing, counted apart from the sockets the baseline check judges.</param>
internal sealed class LabRunner(InjectionFactory factory, InjectionInventory inventory, TimeProvider time, int? servingPort = null)
{
    public const string Namespace = "lab";

    /// <summary>A scenario's attempts each wait for a first tick: a short period keeps them quick, a modest rate keeps
    /// the loops left running (ten ticks a second each) cheap for a laptop.</summary>
    public const double ScenarioRatePerSecond = 10;

    public static readonly TimeSpan ScenarioTickInterval = TimeSpan.FromMilliseconds(100);

    /// <summary>How long a released process may take to give back what it held (a cancelled loop ends on its next
    /// turn of the thread pool, a closed socket leaves the table) before the baseline check says it did not.</summary>
    public static readonly TimeSpan SettleTimeout = TimeSpan.FromSeconds(5);

    /// <summary>The storm doubles its loops every tick (1 s) until capped: this cap is reached in about 12 s.</summary>
    public const long StormMaxUnits = 3000;

    /// <summary>
    /// Runs the lab; <paramref name="onSample"/> is called after every sample with the elapsed time. Cancelling ends the
    /// injection early: everything is released and the report covers what was sampled.
    /// </summary>
    public async Task<LabReport> RunAsync(LabOptions options, Action<TimeSpan, IReadOnlyList<LabSubject>, RuntimeReadings>? onSample, CancellationToken cancellationToken)
    {
        var startedAt = time.GetUtcNow();
        FullGc.Collect();
        var baseline = RuntimeReadings.Take(servingPort);
        await using var reconciles = new LabReconcileLoop();
        var subjects = StartSubjects(options, reconciles);
        var timeline = new List<LabTimelinePoint>();
        long start = time.GetTimestamp();
        RuntimeReadings end = baseline;
        try
        {
            using var sampler = new PeriodicTimer(options.SampleInterval, time);
            while (true)
            {
                var elapsed = time.GetElapsedTime(start);
                end = Sample(subjects, elapsed, timeline);
                onSample?.Invoke(elapsed, subjects, end);
                if (options.IsLastSample(elapsed) || !await sampler.WaitForNextTickAsync(cancellationToken).ConfigureAwait(false))
                {
                    break;
                }
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Stopped early (Ctrl-C, SIGTERM): one last sample at the moment of stopping, then released and reported as usual.
            var elapsed = time.GetElapsedTime(start);
            end = Sample(subjects, elapsed, timeline);
            onSample?.Invoke(elapsed, subjects, end);
        }
        finally
        {
            await ReleaseAllAsync(subjects).ConfigureAwait(false);
        }

        var (afterRelease, check) = await SettleAsync(baseline).ConfigureAwait(false);
        return new LabReport(
            startedAt,
            Math.Round(time.GetElapsedTime(start).TotalSeconds, 1),
            RuntimeInformation.FrameworkDescription,
            Environment.ProcessorCount,
            baseline,
            end,
            afterRelease,
            check,
            [.. subjects.Select(s => Summarize(s, end))],
            timeline);
    }

    /// <summary>Reads the released process after a full GC until it is back to its baseline or <see cref="SettleTimeout"/>
    /// has passed; the last reading and its verdict are the report's.</summary>
    private async Task<(RuntimeReadings Readings, BaselineCheck Check)> SettleAsync(RuntimeReadings baseline)
    {
        long start = time.GetTimestamp();
        while (true)
        {
            FullGc.Collect();
            var readings = RuntimeReadings.Take(servingPort);
            var check = BaselineCheck.Compare(baseline, readings);
            if (check.BackToBaseline || time.GetElapsedTime(start) >= SettleTimeout)
            {
                return (readings, check);
            }

            await Task.Delay(TimeSpan.FromMilliseconds(100), time).ConfigureAwait(false);
        }
    }

    private List<LabSubject> StartSubjects(LabOptions options, LabReconcileLoop reconciles)
    {
        var subjects = new List<LabSubject>();
        foreach (var type in options.Leaks)
        {
            foreach (var mode in LeakNames.Modes.Values)
            {
                // Injecting a little past the end keeps both sides running through the last sample.
                var spec = InjectionSpec.Default(type, mode) with { Duration = options.Duration + TimeSpan.FromSeconds(10) };
                string name = $"{type.ToWire()}-{mode.ToWire()}";
                if (options.Scenario is { } pattern)
                {
                    spec = pattern.NeedsReconciles()
                        ? spec with { TaskPattern = pattern, RatePerSecond = ScenarioRatePerSecond, MaxUnits = StormMaxUnits }
                        : spec with { TaskPattern = pattern, RatePerSecond = ScenarioRatePerSecond, TickInterval = ScenarioTickInterval };
                    name = $"{type.ToWire()}-{pattern.ToWire()}-{mode.ToWire()}";
                }

                var owner = new LeakOwner(Namespace, name);
                var injection = factory.Create(owner, spec, reconciles.RequestFor(owner), reconciles.ReconcileDirectlyFor(owner));
                if (!inventory.TryAdd(injection))
                {
                    throw new InvalidOperationException($"{injection.Owner} is already running");
                }

                subjects.Add(new LabSubject(injection));
            }
        }

        foreach (var subject in subjects)
        {
            subject.Injection.Start();
            reconciles.Track(subject.Injection);
        }

        return subjects;
    }

    private RuntimeReadings Sample(List<LabSubject> subjects, TimeSpan elapsed, List<LabTimelinePoint> timeline)
    {
        FullGc.Collect();
        double seconds = Math.Round(elapsed.TotalSeconds, 2);
        foreach (var subject in subjects)
        {
            subject.Record(seconds);
        }

        var readings = RuntimeReadings.Take(servingPort);
        timeline.Add(new LabTimelinePoint(seconds, readings));
        return readings;
    }

    private async Task ReleaseAllAsync(List<LabSubject> subjects) =>
        await Task.WhenAll(subjects.Select(s => inventory.ReleaseAsync(s.Injection.Owner))).ConfigureAwait(false);

    private static LabSubjectResult Summarize(LabSubject subject, RuntimeReadings end)
    {
        var (slope, verdict) = subject.Judge();
        var injection = subject.Injection;
        Debug.Assert(injection.Phase == InjectionPhase.Completed, "the lab releases every injection before summarizing");
        return new LabSubjectResult(
            subject.Type.ToWire(),
            subject.Mode.ToWire(),
            injection.Pattern,
            injection.Spec.UnitName(),
            injection.Spec.RatePerSecond,
            injection.Spec.MaxUnits,
            subject.Samples[0].Units,
            subject.Samples[^1].Units,
            Math.Round(slope, 1),
            verdict,
            injection.Ledger.Injected,
            injection.Ledger.Released,
            injection.Ledger.Held,
            injection.Ledger.CapReason,
            subject.LatestEvidence,
            end,
            subject.Samples);
    }
}
