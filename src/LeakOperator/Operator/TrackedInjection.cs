using LeakOperator.Leaks.Analysis;
using LeakOperator.Leaks.Injections;

namespace LeakOperator.Operator;

/// <summary>
/// An injection the operator runs for one generation of one LeakTest, and the growth seen while it injected:
/// sampled every second by the <see cref="SharedSampler"/> until it is disposed (a tick already running may still
/// take one more sample, which the phase check turns away after release), independent of how often reconciles run.
/// </summary>
internal sealed class TrackedInjection : IDisposable
{
    public static readonly TimeSpan SampleInterval = TimeSpan.FromSeconds(1);

    private readonly List<UnitSample> _samples = [];
    private readonly Lock _gate = new();
    private readonly IDisposable _sampling;
    private readonly TimeProvider _time;
    private long _lastStatusWrite;

    public TrackedInjection(Injection injection, long generation, string uid, SharedSampler sampler, TimeProvider time)
    {
        Injection = injection;
        Generation = generation;
        Uid = uid;
        _time = time;
        _sampling = sampler.Join(Sample);
    }

    public Injection Injection { get; }

    public long Generation { get; }

    public string Uid { get; }

    /// <summary>Whether this injection's status was written less than <paramref name="interval"/> ago.</summary>
    public bool WroteStatusWithin(TimeSpan interval)
    {
        long last = Interlocked.Read(ref _lastStatusWrite);
        return last != 0 && _time.GetElapsedTime(last) < interval;
    }

    public void StatusWritten() => Interlocked.Exchange(ref _lastStatusWrite, _time.GetTimestamp());

    /// <summary>Stops sampling; the injection itself is released through the inventory (see InjectionTracker).</summary>
    public void Dispose() => _sampling.Dispose();

    /// <summary>Records a reading while injecting; afterwards the verdict is frozen at what the injection showed.</summary>
    private void Sample()
    {
        if (Injection.Phase != InjectionPhase.Injecting || Injection.StartedAt is not { } started)
        {
            return;
        }

        var reading = new UnitSample((_time.GetUtcNow() - started).TotalSeconds, Injection.MeasureLive());
        lock (_gate)
        {
            _samples.Add(reading);
        }
    }

    /// <summary>Everything the status shows of this injection, read now.</summary>
    public InjectionReading Read()
    {
        var (slope, verdict) = Judge();
        return new InjectionReading(
            Injection.Phase,
            Injection.Spec,
            Injection.MeasureLive(),
            Injection.Ledger.Injected,
            Injection.Ledger.Released,
            slope,
            verdict,
            Injection.StartedAt,
            Injection.InjectionEndedAt,
            Injection.Pattern,
            Injection.Evidence(),
            Injection.Ledger.CapReason);
    }

    private (double UnitsPerMinute, Verdict? Verdict) Judge()
    {
        lock (_gate)
        {
            if (_samples.Count < 2)
            {
                return (0, null);
            }

            var (slope, verdict) = GrowthAnalysis.Judge(_samples, Injection.Spec.RatePerSecond, Injection.Ledger.RetentionWhenCapped);
            Verdict? judged = GrowthAnalysis.CanJudge(_samples, Injection.Spec.RatePerSecond) ? verdict : null;
            Injection.RecordVerdict(judged);
            return (slope, judged);
        }
    }
}
