using System.Diagnostics;
using System.Globalization;
using System.Text;
using k8s;
using LeakOperator.Controller.Resources;
using LeakOperator.IntegrationTests.ControlPlane;
using LeakOperator.Operator.Api;
using LeakOperator.TestSupport;
using Xunit.Abstractions;

namespace LeakOperator.IntegrationTests;

/// <summary>
/// The write-up's storm as its code has it (<c>reconcile-storm-direct</c>), against the real API server: every
/// reconcile starts a ticker whose loop calls the reconcile itself, outside the work queue, each with a read and an
/// uncoalesced status write. Its three figures are printed beside the write-up's: live loops, reconciles per watch
/// event, and the reconcile latency another LeakTest sees (a bystander whose spec changes, timed to its
/// observedGeneration). A third run adds client-go's client-side limiter (20 QPS, burst 30), and the operator's
/// /healthz is timed all along. Each run is its own operator process, as the write-up compared two controllers.
/// </summary>
/// <remarks>
/// About 90 s on 2 cores. The issue's goals (#16) are printed under the table, from the same run, and written with it
/// into the README and docs by <c>make figures</c>. What is asserted has the margins a noisy 2-core machine needs: the
/// shape of each figure, and a /healthz under the kubelet's default probe timeout (1 s), which the chart's liveness
/// probe keeps. Two causes of earlier failures are fixed and named where they were: a release racing a direct
/// reconcile (<c>LeakyTaskLeak</c>), a refresh holding its key through conflict retries (<c>LeakTestReconciler</c>);
/// the test's own thread pool, starved by its client, once timed a 1 ms /healthz at 949 ms (<c>ControlPlane.AdminClient</c>),
/// and a probe thread in this process still read its own pauses (<see cref="HealthProbe"/>: curl probes now).
/// </remarks>
[Collection(ControlPlaneGroup.Name)]
[Trait("Category", "Benchmark")]
public sealed class DirectReconcileStormTests(ControlPlaneFixture fixture, ITestOutputHelper output)
{
    private const int Objects = 2;
    private const int MaxUnitsPerTest = 250;
    private const int Probes = 20;

    /// <summary>A safe probe this slow has what the operator logged around it printed (they take 5–50 ms).</summary>
    private const double SlowProbeMs = 300;

    /// <summary>
    /// A probe during which this test process stood still longer than this (a late OS thread, a starved pool, a GC
    /// pause: <see cref="StallMeter"/>) is set aside: it timed this process, not the operator (one of 20 safe probes
    /// read 674 ms that way while every operator PUT and reconcile took under 250 ms and /healthz under 10 ms).
    /// </summary>
    private const double StalledProbeMs = 200;

    /// <summary>The kubelet's default probe timeout (timeoutSeconds: 1), which the chart's liveness probe keeps.</summary>
    private const double LivenessTimeoutMs = 1000;

    /// <summary>With the limiter, a bystander's write queues behind the storm's: fewer probes, each given up sooner.</summary>
    private const int LimitedProbes = 4;
    private static readonly TimeSpan s_probeTimeout = TimeSpan.FromSeconds(20);

    /// <summary>
    /// The storm ticks every second and is busy for part of each tick. Probes a whole second apart would meet it at one
    /// phase every time (a run's probes all in its quiet part, or all in its busy part: a leaky median of 14 ms beside
    /// the safe 9 ms in one run, 525 ms beside 8 ms in another); 1.05 s steps the phase by a twentieth of a tick, so
    /// the 20 probes sample the whole cycle once.
    /// </summary>
    private static readonly TimeSpan s_probeEvery = TimeSpan.FromSeconds(1.05);

    [Fact]
    public async Task The_write_ups_storm_multiplies_loops_and_reconciles_and_slows_a_bystander_and_the_safe_twin_does_not()
    {
        var leaky = await MeasureAsync("leaky");
        var safe = await MeasureAsync("safe");
        var limited = await MeasureAsync("leaky", ["--client-qps", "20", "--client-burst", "30"]);

        string table = Table(leaky, safe, limited);
        output.WriteLine($"Direct reconcile storm: {Objects} storm LeakTests per run, tick 1 s, maxUnits {MaxUnitsPerTest}, {Probes} bystander probes, real kube-apiserver:");
        output.WriteLine(table);
        string goals = Goals(leaky, safe, limited);
        output.WriteLine(goals);
        ReadmeFigures.WriteInto("storm-direct-figures", table + "\n" + goals, Repository.PathOf("README.md"), Repository.PathOf("docs", "scenarios", "reconcile-storm.md"));

        // The safe twin: one ticker per object, whose ticks never reconcile.
        Assert.Equal(Objects, safe.LiveLoops);
        Assert.Equal(0, safe.DirectReconciles);
        Assert.True(safe.PerEvent <= 1.1, $"safe reconciles per watch event {safe.PerEvent:0.00}x");
        Assert.True(safe.StormPerEvent <= 1.1, $"safe storm tests' reconciles per their watch event {safe.StormPerEvent:0.00}x");

        // The storm: loops multiply to the cap on every storm test; reconciles run outside the queue.
        Assert.Equal(Objects, leaky.Capped);
        Assert.InRange(leaky.LiveLoops, Objects * MaxUnitsPerTest * 0.9, Objects * MaxUnitsPerTest);
        Assert.True(leaky.DirectReconciles > leaky.QueuedReconciles, $"direct {leaky.DirectReconciles}, queued {leaky.QueuedReconciles}");
        Assert.True(leaky.StormPerEvent >= 10 * safe.StormPerEvent, $"reconciles per watch event: leaky {leaky.StormPerEvent:0.00}x, safe {safe.StormPerEvent:0.00}x");
        // The storm slows an untouched object's reconcile, the write-up's figure. The issue's goal (p95 at least 10x) is
        // a speed goal: printed with the figures (Goals) and in `make bench`, not asserted, since how much the storm
        // slows one bystander varies with the API server's queueing on 2 shared cores (p95 ratios read 9.6x to 111x
        // at full strength; one CI run read 125 vs 13 ms). What must hold in every run is asserted with a margin: the
        // storm slows the bystander's tail. Not its median: the storm is busy for part of each tick, and the share of
        // probes it meets (half of them or more) is the median's coin toss. Probes read the watch (ProbeAsync), and a
        // probe during which this process stood still is set aside.
        Assert.True(leaky.BystanderP95Ms >= 3 * safe.BystanderP95Ms, $"bystander p95: leaky {leaky.BystanderP95Ms:0} ms, safe {safe.BystanderP95Ms:0} ms");

        // The operator stays live through every run: the kubelet would restart a pod whose /healthz takes over 1 s.
        double healthMax = new[] { leaky, safe, limited }.Max(r => r.HealthMaxMs);
        Assert.True(healthMax < LivenessTimeoutMs, $"slowest /healthz {healthMax:0} ms");

        // The limiter keeps the storm in the operator: its own requests wait, and the API server sees at most the rate.
        Assert.True(limited.ThrottledRequests > 0 || limited.ApiRequestsPerSecond <= 20 * 1.2 + 30, $"limited run: {limited.ApiRequestsPerSecond:0} requests/s");
    }

    private async Task<Run> MeasureAsync(string mode, string[]? limiter = null)
    {
        string[] extraArgs = limiter ?? [];
        int probes = limiter is null ? Probes : LimitedProbes;
        var probeEvery = limiter is null ? s_probeEvery : s_probeEvery * (Probes / LimitedProbes); // the same window
        await using var ns = await TestNamespace.CreateAsync(fixture, $"direct-{mode}");
        var objects = new LeakTestObjects(fixture.Admin);
        await using var op = await RunningOperator.StartAsync(fixture, $"direct-{ns}", ["--leader-elect", "false", "--debug-timers", "true", .. extraArgs]);
        await op.WaitUntilReadyAsync();

        // The bystander: an ordinary LeakTest the storm does not touch, whose spec changes are timed.
        const string Bystander = "bystander";
        await objects.CreateAsync(LeakTestObjects.New(ns, Bystander, new LeakTestSpec { LeakType = "task", Mode = "safe", DurationSeconds = 600, TickIntervalMilliseconds = 1000 }));
        await Eventually.True(async () => (await objects.GetAsync(ns, Bystander))?.Status?.ObservedGeneration == 1, "the bystander is observed", TimeSpan.FromSeconds(60));

        var before = new Scrape(await op.ScrapeAsync());
        var etcdBefore = await fixture.ScrapeEtcdAsync();
        var apiBefore = await fixture.ScrapeApiServerAsync();
        using var watch = new EventCounter(fixture, ns);
        var cpuClock = Stopwatch.StartNew();
        using var health = new HealthProbe(op);
        var names = Enumerable.Range(0, Objects).Select(i => $"storm-{i}").ToList();
        foreach (var name in names)
        {
            await objects.CreateAsync(LeakTestObjects.New(ns, name, new LeakTestSpec
            {
                LeakType = "task",
                Mode = mode,
                DurationSeconds = 600,
                MaxUnits = MaxUnitsPerTest,
                TickIntervalMilliseconds = 1000,
                Task = new LeakTestTaskSpec { Pattern = "reconcile-storm-direct" },
            }));
        }

        // Probes time the storm at full strength, as the write-up's figures do, not its ramp: loops double each tick up
        // to the cap, and no storm slows the bystander in the first seconds (a run whose storm ramped slowly read a
        // leaky median of 30 ms from those probes while its p95 was 21x the safe one's). The limited storm grows at
        // the limiter's pace and is probed as it grows.
        var statuses = new List<LeakTestStatus>();
        async Task<bool> StormStandsAsync(bool capped)
        {
            statuses.Clear();
            foreach (var name in names)
            {
                if ((await objects.GetAsync(ns, name))?.Status is { } status)
                {
                    statuses.Add(status);
                }
            }

            return statuses.Count == Objects && (!capped || statuses.All(IsCapped));
        }

        bool waitForCap = mode == "leaky" && limiter is null;
        await Eventually.True(
            () => StormStandsAsync(waitForCap),
            () => $"every storm test has a status{(waitForCap ? " and is capped" : "")}: {statuses.Count(IsCapped)} capped of {statuses.Count}",
            TimeSpan.FromSeconds(90));

        // Probes at a fixed pace through the storm: a measurement, not a wait for a condition.
        var latencies = new List<double>();
        var stalled = new List<string>();
        var slow = new List<(DateTime Started, double Ms, DateTime? Watched, ProbeSteps Steps)>();
        using var stalls = new StallMeter();
        for (int i = 0; i < probes; i++)
        {
            var pace = Task.Delay(probeEvery);
            var started = DateTime.Now;
            long startedAt = Stopwatch.GetTimestamp();
            var gcPaused = GC.GetTotalPauseDuration();
            var (took, generation, steps) = await ProbeAsync(objects, watch, ns, Bystander);
            double ms = took.TotalMilliseconds;
            long endedAt = Stopwatch.GetTimestamp();
            var gcPause = GC.GetTotalPauseDuration() - gcPaused;

            // A probe during which this process itself stood still timed the test, not the operator: set aside, listed.
            double stoodStill = stalls.StoodStillMs(startedAt, endedAt, gcPause);
            if (stoodStill > StalledProbeMs)
            {
                stalled.Add($"{ms:0} ms ({stalls.Between(startedAt, endedAt, gcPause)})");
            }
            else
            {
                latencies.Add(ms);
            }

            if (ms > SlowProbeMs)
            {
                steps.Stalls = stalls.Between(startedAt, endedAt, gcPause);
                slow.Add((started, ms, watch.ObservedAt(Bystander, generation), steps));
            }

            await pace;
        }

        // The storm tests' own reconcile counts, as their last written status has them (a write lost to a conflict
        // leaves an older count, so this leans low), read at the end of the window like the events.
        double stormReconciles = 0;
        foreach (var name in names)
        {
            stormReconciles += (await objects.GetAsync(ns, name))?.Status?.Evidence?.GetValueOrDefault("reconciles") ?? 0;
        }

        var after = new Scrape(await op.ScrapeAsync());
        var etcdAfter = await fixture.ScrapeEtcdAsync();
        var apiAfter = await fixture.ScrapeApiServerAsync();
        var stormEvents = watch.Stop(names);
        var window = cpuClock.Elapsed;
        var (healthMax, healthMaxAt) = health.Stop();
        // Read again for the figures; the limited storm's are taken where it stands.
        await Eventually.True(
            () => StormStandsAsync(waitForCap),
            () => $"every storm test has a status{(waitForCap ? " and is capped" : "")}: {statuses.Count(IsCapped)} capped of {statuses.Count}",
            TimeSpan.FromSeconds(90));

        // Deleting a LeakTest mid-storm releases it: every storm test and the bystander are gone, finalized by this
        // operator, before it stops. (Left for the next run's operator, they would storm inside it.)
        var deleting = Stopwatch.StartNew();
        foreach (var name in limiter is null ? names.Append(Bystander) : [])
        {
            await objects.DeleteAsync(ns, name);
        }

        if (limiter is null)
        {
            try
            {
                await Eventually.True(
                    async () => (await objects.ListAsync(ns)).Count == 0,
                    "every LeakTest of the run is deleted (finalized by its operator)",
                    TimeSpan.FromSeconds(60));
            }
            catch (Exception)
            {
                await ReportReleaseAsync(op, objects, ns);
                throw;
            }
        }

        // Limited, every request waits in the token bucket behind the storm's, and so does the reconcile that would
        // finalize a deleted test (a storm test's refresh already in flight holds its key, its status write retrying
        // on the storm's conflicts, each try behind hundreds of queued requests): release took 203 s in one run and
        // over 240 s in another, so it is not waited for. The namespace's cleanup removes the finalizers once this
        // operator is gone.
        double released = limiter is null ? deleting.Elapsed.TotalSeconds : double.NaN;
        output.WriteLine(
            $"{mode}{(limiter is null ? "" : " limited")}: deleted mid-storm and released in {released:0.0} s; "
            + $"slowest /healthz {healthMax.TotalMilliseconds:0} ms, {healthMaxAt.TotalSeconds:0.0} s into the storm");

        const string Self = "controller=\"leak-operator\"";
        double queued = after.Sum("controller_runtime_reconcile_total", Self) - before.Sum("controller_runtime_reconcile_total", Self);
        double direct = after.Sum("leakoperator_direct_reconciles_total", Self) - before.Sum("leakoperator_direct_reconciles_total", Self);
        double conflicts = after.Sum("leakoperator_direct_reconciles_total", Self, "result=\"conflict\"") - before.Sum("leakoperator_direct_reconciles_total", Self, "result=\"conflict\"");
        double events = after.Sum("leakoperator_watch_events_total") - before.Sum("leakoperator_watch_events_total");
        // The limited run's probes are few and long (up to 20 s each, waiting in the token bucket) and only printed.
        Assert.True(latencies.Count >= (limiter is null ? probes / 2 : 1), $"{stalled.Count} of {probes} probes set aside: this test process kept standing still ({string.Join("; ", stalled)})");
        latencies.Sort();
        output.WriteLine($"{mode}{(limiter is null ? "" : " limited")}: bystander probes (ms) {string.Join(' ', latencies.Select(l => l.ToString("0", CultureInfo.InvariantCulture)))}");
        output.WriteLine($"{mode}{(limiter is null ? "" : " limited")}: probes set aside, this test process stood still over {StalledProbeMs} ms meanwhile: "
            + (stalled.Count == 0 ? "none" : string.Join("; ", stalled)));
        output.WriteLine($"{mode}{(limiter is null ? "" : " limited")}: etcd {SlowDisk(etcdBefore, etcdAfter, "etcd_disk_wal_fsync_duration_seconds", "WAL fsyncs")}, "
            + SlowDisk(etcdBefore, etcdAfter, "etcd_disk_backend_commit_duration_seconds", "backend commits"));

        // Whose time a slow status write was: the API server's own reading of its LeakTest status writes, beside the
        // operator's reading of all its requests (client-go's histogram, which includes the trip and the body).
        output.WriteLine($"{mode}{(limiter is null ? "" : " limited")}: "
            + Slow(apiBefore, apiAfter, "API server's LeakTest status PUTs", 0.2, "apiserver_request_duration_seconds", "verb=\"PUT\"", "resource=\"leaktests\"", "subresource=\"status\"")
            + "; " + Slow(before, after, "operator's PUTs", 0.25, "rest_client_request_duration_seconds", "verb=\"PUT\"")
            + "; " + Slow(before, after, "queued reconciles", 0.25, "controller_runtime_reconcile_time_seconds", Self));
        if (mode == "safe" && limiter is null)
        {
            string Delta(string metric, params string[] labels) => (after.Sum(metric, labels) - before.Sum(metric, labels)).ToString("0", CultureInfo.InvariantCulture);
            output.WriteLine($"safe: status conflicts {Delta("leakoperator_status_conflicts_total")}, reconciles by result: "
                + string.Join(", ", new[] { "success", "requeue_after", "error" }.Select(r => $"{r} {Delta("controller_runtime_reconcile_total", Self, $"result=\"{r}\"")}")));
            PrintSlowProbes(slow, op.Process.Stdout, fixture.Plane.ApiServerLog);
        }
        return new Run(
            Label: extraArgs.Length == 0 ? mode : $"{mode}, client 20 QPS",
            LiveLoops: statuses.Sum(s => s.LeakedUnits),
            QueuedReconciles: queued,
            DirectReconciles: direct,
            DirectConflicts: conflicts,
            WatchEvents: events,
            StormWatchEvents: stormEvents,
            StormReconciles: stormReconciles,
            HistogramP95Ms: after.QuantileSince(before, 0.95, "controller_runtime_reconcile_time_seconds", Self) * 1000,
            BystanderP95Ms: latencies[(int)Math.Ceiling(0.95 * latencies.Count) - 1],
            HealthMaxMs: healthMax.TotalMilliseconds,
            CpuSeconds: after.Sum("process_cpu_seconds_total") - before.Sum("process_cpu_seconds_total"),
            WindowSeconds: window.TotalSeconds,
            ApiRequestsPerSecond: (queued + 2 * direct) / window.TotalSeconds,
            ThrottledRequests: after.Sum("leakoperator_client_throttled_requests_total") - before.Sum("leakoperator_client_throttled_requests_total"),
            ReleasedAfterDeleteSeconds: released,
            Capped: statuses.Count(IsCapped),
            ProbesSetAside: stalled.Count);
    }

    /// <summary>What a release that did not finish leaves to look at: the objects still there and the operator's last
    /// log lines and timers (its loops by owner).</summary>
    private async Task ReportReleaseAsync(RunningOperator op, LeakTestObjects objects, string ns)
    {
        foreach (var test in (await objects.ListAsync(ns)).Values)
        {
            output.WriteLine(
                $"not finalized: {test.Metadata.Name} deleting since {test.Metadata.DeletionTimestamp:O}, "
                + $"finalizers [{string.Join(',', test.Metadata.Finalizers ?? [])}], phase {test.Status?.Phase}, units {test.Status?.LeakedUnits}");
        }

        output.WriteLine("operator log (last 40 lines):");
        foreach (var line in op.Process.Stdout.Split('\n').TakeLast(40))
        {
            output.WriteLine(line);
        }

        var (status, timers) = await op.GetAsync("/debug/timers");
        output.WriteLine($"/debug/timers ({status}):\n{string.Join('\n', timers.Split('\n').Take(30))}");
    }

    /// <summary>How many of etcd's disk operations of one kind the run made, and how many took over 128 ms.</summary>
    private static string SlowDisk(Scrape before, Scrape after, string histogram, string what) => Slow(before, after, what, 0.128, histogram);

    /// <summary>How many observations of a histogram (its series matching <paramref name="labels"/>) the run made, and
    /// how many were over <paramref name="bound"/> seconds (one of its bucket bounds).</summary>
    private static string Slow(Scrape before, Scrape after, string what, double bound, string histogram, params string[] labels)
    {
        var was = before.Buckets(histogram, labels);
        var now = after.Buckets(histogram, labels);
        double Increase(double upTo) => now.GetValueOrDefault(upTo) - was.GetValueOrDefault(upTo);
        double all = Increase(double.PositiveInfinity);
        double slow = all - Increase(bound);
        return $"{what} {all:0}, over {bound * 1000:0} ms {slow:0}";
    }

    /// <summary>
    /// What the operator logged around each slow probe of the safe run (its lines carry a wall-clock time): whether the
    /// reconcile of the new generation started late (the watch or the queue) or its status came late (the write).
    /// </summary>
    private void PrintSlowProbes(List<(DateTime Started, double Ms, DateTime? Watched, ProbeSteps Steps)> slow, string operatorLog, string apiServerLog)
    {
        var lines = operatorLog.Split('\n');
        var apiLines = apiServerLog.Split('\n');
        foreach (var (started, ms, watched, steps) in slow)
        {
            // Many quick GETs that kept reading the old generation: the status was written late. One GET (or one
            // 5 ms pause) as long as the probe: this test's own client or thread pool stood still, not the operator.
            output.WriteLine($"safe: slow probe's GETs: {steps.Gets}, the slowest {steps.SlowestGetMs:0} ms, the slowest pause {steps.SlowestPauseMs:0} ms");
            // A process thread that woke late: the whole test process paused (GC or the machine); only the pool late:
            // its thread pool starved.
            output.WriteLine($"safe: this test process meanwhile: {steps.Stalls}");
            // The watch's time tells a late write (it saw the status late too) from a late read by the probe's GET.
            output.WriteLine($"safe: slow probe's status seen by the test's watch at {watched:HH:mm:ss.fff}");
            string from = started.AddMilliseconds(-200).ToString("HH:mm:ss.fff", CultureInfo.InvariantCulture);
            string to = started.AddMilliseconds(ms + 200).ToString("HH:mm:ss.fff", CultureInfo.InvariantCulture);
            var near = lines.Where(l => l.Length > 12 && string.CompareOrdinal(l[..12], from) >= 0 && string.CompareOrdinal(l[..12], to) <= 0).Take(20);
            output.WriteLine($"safe: slow probe at {started:HH:mm:ss.fff} took {ms:0} ms; the operator logged:\n  {string.Join("\n  ", near)}");
            output.WriteLine($"safe: the API server's traces (requests over 500 ms) then:\n  {string.Join("\n  ", ApiServerTraces(apiLines, from, to).Take(30))}");
        }
    }

    /// <summary>
    /// The API server's trace lines (it logs one for each request over 500 ms, klog header <c>I1203 00:51:15.853123</c>,
    /// continued on lines starting <c>Trace[</c>) logged between two wall-clock times (<c>HH:mm:ss.fff</c>).
    /// </summary>
    private static IEnumerable<string> ApiServerTraces(string[] lines, string from, string to)
    {
        bool inTrace = false;
        foreach (string line in lines)
        {
            bool headed = line.Length > 18 && line[0] is 'I' or 'W' or 'E' && line[5] == ' ';
            if (headed)
            {
                string at = line.Substring(6, 12);
                inTrace = line.Contains("Trace[", StringComparison.Ordinal) && string.CompareOrdinal(at, from) >= 0 && string.CompareOrdinal(at, to) <= 0;
            }
            else if (!line.StartsWith("Trace[", StringComparison.Ordinal))
            {
                inTrace = false;
            }

            if (inTrace)
            {
                yield return line;
            }
        }
    }

    /// <summary>
    /// Changes the bystander's spec and times until its status says that generation was observed: seen by this test's
    /// watch (as a controller would see it) or by a GET, whichever comes first. The watch is the reading: one GET of
    /// this test's client once took 606 ms while the watch had the status 21 ms after the change (#16's "slow safe
    /// probes" were that, not the operator: its PUTs and reconciles were all under 250 ms in that run).
    /// </summary>
    private static async Task<(TimeSpan Took, long Generation, ProbeSteps Steps)> ProbeAsync(LeakTestObjects objects, EventCounter watch, string ns, string name)
    {
        var updated = await objects.UpdateSpecAsync(ns, name, spec => spec.DurationSeconds += 1);
        long generation = updated.Metadata.Generation ?? 0;
        var changed = DateTime.Now;
        var clock = Stopwatch.StartNew();
        var steps = new ProbeSteps();
        while (clock.Elapsed < s_probeTimeout)
        {
            if (watch.ObservedAt(name, generation) is { } seen)
            {
                return (Since(seen), generation, steps);
            }

            var got = clock.Elapsed;
            var status = (await objects.GetAsync(ns, name))?.Status;
            steps.Gets++;
            steps.SlowestGetMs = Math.Max(steps.SlowestGetMs, (clock.Elapsed - got).TotalMilliseconds);
            if (status?.ObservedGeneration >= generation)
            {
                // The watch may have seen it while this GET was on its way.
                var took = watch.ObservedAt(name, generation) is { } at && Since(at) < clock.Elapsed ? Since(at) : clock.Elapsed;
                return (took, generation, steps);
            }

            var paused = clock.Elapsed;
            await Task.Delay(5);
            steps.SlowestPauseMs = Math.Max(steps.SlowestPauseMs, (clock.Elapsed - paused).TotalMilliseconds);
        }

        return (clock.Elapsed, generation, steps);

        // The watch stamps an event when it arrives, which can be before the update's answer did.
        TimeSpan Since(DateTime at) => at > changed ? at - changed : TimeSpan.Zero;
    }

    /// <summary>How a probe's wait went: its GETs, the slowest of them, and the slowest of the 5 ms pauses between.</summary>
    private sealed class ProbeSteps
    {
        public int Gets { get; set; }

        public double SlowestGetMs { get; set; }

        public double SlowestPauseMs { get; set; }

        /// <summary>Whether this test process stood still meanwhile, and how (see <see cref="StallMeter"/>).</summary>
        public string Stalls { get; set; } = "";
    }

    /// <summary>The issue's goals against this run's figures, each beside the write-up's, said met or not.</summary>
    private static string Goals(Run leaky, Run safe, Run limited)
    {
        double loops = leaky.LiveLoops / safe.LiveLoops;
        double bystander = leaky.BystanderP95Ms / safe.BystanderP95Ms;
        double health = new[] { leaky, safe, limited }.Max(r => r.HealthMaxMs);
        var text = new StringBuilder("Goals (#16), from this run:\n");
        Goal($"live timer loops {leaky.LiveLoops:N0} vs {safe.LiveLoops:N0}: {loops:0}x (goal ≥ 100x; write-up 3,246 vs 12: 270x)", loops >= 100);
        Goal(
            $"reconciles per watch event of the storm tests {leaky.StormPerEvent:0.00}x vs {safe.StormPerEvent:0.00}x "
            + $"(goal ≥ 30x vs ≤ 1.1x; write-up 32.7x vs 1.00x)",
            leaky.StormPerEvent >= 30 && safe.StormPerEvent <= 1.1);
        Goal($"bystander reconcile p95 {leaky.BystanderP95Ms:0} vs {safe.BystanderP95Ms:0} ms: {bystander:0.0}x (goal ≥ 10x; write-up 420 vs 18 ms: 23.3x)", bystander >= 10);
        Goal($"slowest operator /healthz in any run {health:0} ms (goal < 100 ms)", health < 100);
        return text.ToString();

        void Goal(string figure, bool met) => text.Append(CultureInfo.InvariantCulture, $"- {figure}: **{(met ? "met" : "not met")}**\n");
    }

    private static bool IsCapped(LeakTestStatus status) => status.Conditions.Any(c => c.Type == LeakTestConditions.Capped && c.Status == "True");

    private static string Table(Run leaky, Run safe, Run limited)
    {
        var text = new StringBuilder();
        text.Append(CultureInfo.InvariantCulture, $"| | {leaky.Label} | {safe.Label} | {limited.Label} | write-up (Go), leaky vs safe |\n");
        text.Append("|---|---:|---:|---:|---|\n");
        Row("live timer loops", r => r.LiveLoops.ToString("N0", CultureInfo.InvariantCulture), "3,246 vs 12 goroutines");
        Row("reconciles per watch event, of the storm tests", r => $"{r.StormPerEvent:0.00}x", "32.7x vs 1.00x");
        Row("reconciles per watch event, all (bystander included)", r => $"{r.PerEvent:0.00}x", "");
        Row(
            "bystander reconcile p95 (spec change to observedGeneration)",
            r => (r.BystanderP95Ms >= s_probeTimeout.TotalMilliseconds ? $"> {s_probeTimeout.TotalSeconds:0} s" : $"{r.BystanderP95Ms:0} ms")
                + (r.ProbesSetAside > 0 ? $" ({r.ProbesSetAside} set aside: the test stalled)" : ""),
            "420 ms vs 18 ms (reconcile p95)");
        Row("queued reconcile p95 (histogram)", r => $"{r.HistogramP95Ms:0.0} ms", "");
        Row("reconciles: queued + direct (of them, lost to a conflict)", r => $"{r.QueuedReconciles:N0} + {r.DirectReconciles:N0} ({r.DirectConflicts:N0})", "");
        Row("watch events", r => r.WatchEvents.ToString("N0", CultureInfo.InvariantCulture), "");
        Row("operator API requests per second", r => $"{r.ApiRequestsPerSecond:0}", "");
        Row("slowest operator /healthz, curl every 100 ms (goal < 100 ms)", r => $"{r.HealthMaxMs:0} ms", "");
        Row("operator CPU", r => $"{r.CpuSeconds:0.0} s in {r.WindowSeconds:0} s", "");
        Row("released after the tests were deleted mid-storm", r => double.IsNaN(r.ReleasedAfterDeleteSeconds) ? "not waited for (> 200 s)" : $"{r.ReleasedAfterDeleteSeconds:0.0} s", "");
        Row("storm tests capped (the limited storm grows at 10 reconciles/s)", r => $"{r.Capped} of {Objects}", "");
        return text.ToString();

        void Row(string name, Func<Run, string> value, string writeUp) =>
            text.Append(CultureInfo.InvariantCulture, $"| {name} | {value(leaky)} | {value(safe)} | {value(limited)} | {writeUp} |\n");
    }

    private sealed record Run(
        string Label,
        double LiveLoops,
        double QueuedReconciles,
        double DirectReconciles,
        double DirectConflicts,
        double WatchEvents,
        double StormWatchEvents,
        double StormReconciles,
        double HistogramP95Ms,
        double BystanderP95Ms,
        double HealthMaxMs,
        double CpuSeconds,
        double WindowSeconds,
        double ApiRequestsPerSecond,
        double ThrottledRequests,
        double ReleasedAfterDeleteSeconds,
        int Capped,
        int ProbesSetAside)
    {
        public double PerEvent => WatchEvents == 0 ? double.NaN : (QueuedReconciles + DirectReconciles) / WatchEvents;

        /// <summary>The storm tests' own reconciles (their status evidence) per their own watch events: the bystander's
        /// left out of both.</summary>
        public double StormPerEvent => StormWatchEvents == 0 ? double.NaN : StormReconciles / StormWatchEvents;
    }

    /// <summary>A watch of the run's namespace, beside the operator's, counting the events of each object by name.</summary>
    private sealed class EventCounter : IDisposable
    {
        private readonly CancellationTokenSource _stop = new();
        private readonly System.Collections.Concurrent.ConcurrentDictionary<string, int> _byName = new(StringComparer.Ordinal);
        private readonly System.Collections.Concurrent.ConcurrentDictionary<(string Name, long Generation), DateTime> _observedAt = new();
        private readonly Task _watching;

        public EventCounter(ControlPlaneFixture fixture, string ns) => _watching = WatchAsync(fixture, ns, _stop.Token);

        public double Stop(IEnumerable<string> names)
        {
            _stop.Cancel();
            try
            {
                _watching.Wait(TimeSpan.FromSeconds(10));
            }
            catch (AggregateException)
            {
                // Cancelled.
            }

            return names.Sum(n => _byName.GetValueOrDefault(n));
        }

        /// <summary>When this watch first saw <paramref name="name"/>'s status say it observed <paramref name="generation"/>.</summary>
        public DateTime? ObservedAt(string name, long generation) => _observedAt.TryGetValue((name, generation), out var at) ? at : null;

        public void Dispose()
        {
            _stop.Cancel();
            _stop.Dispose();
        }

        private async Task WatchAsync(ControlPlaneFixture fixture, string ns, CancellationToken stop)
        {
            // From no version: every object as ADDED first, then each change, across the namespaces; this test's only.
            var client = new CustomResourceClient<LeakTest>(fixture.Admin, LeakTest.Definition);
            await foreach (var change in client.WatchAsync("", TimeSpan.FromMinutes(30), stop).WithCancellation(stop))
            {
                if (change.Resource is { } test && test.Metadata.NamespaceProperty == ns)
                {
                    _byName.AddOrUpdate(test.Metadata.Name, 1, (_, count) => count + 1);
                    if (test.Status?.ObservedGeneration is { } observed)
                    {
                        _observedAt.TryAdd((test.Metadata.Name, observed), DateTime.Now);
                    }
                }
            }
        }
    }

    /// <summary>
    /// /healthz every 100 ms from curl, another process, as the kubelet probes: each request on a new connection, timed
    /// by curl itself, so neither this test's GC pauses nor its thread pool are in the figure (a probe thread in this
    /// process once read 972 ms in the limiter's run, where curl has read at most 45 ms in 18 runs since).
    /// </summary>
    private sealed class HealthProbe : IDisposable
    {
        private const string Marker = "PROBE ";
        private readonly Process _curl;
        private readonly Stopwatch _since = Stopwatch.StartNew();
        private readonly Lock _gate = new();
        private readonly StringBuilder _errors = new();
        private TimeSpan _slowest;
        private TimeSpan _slowestAt;
        private int _answers;
        private int _failures;

        public HealthProbe(RunningOperator op)
        {
            var url = new Uri(op.MetricsUrl, "/healthz");
            var start = new ProcessStartInfo(
                "curl",
                ["--silent", "--rate", "10/s", "--max-time", "10", "--header", "Connection: close", "--write-out", $"\n{Marker}%{{http_code}} %{{time_total}}\n", $"{url}?probe=[1-100000]"])
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
            };
            _curl = Process.Start(start) ?? throw new InvalidOperationException("curl did not start");
            _curl.OutputDataReceived += (_, line) => Read(line.Data);
            _curl.ErrorDataReceived += (_, line) =>
            {
                lock (_gate)
                {
                    _errors.AppendLine(line.Data);
                }
            };
            _curl.BeginOutputReadLine();
            _curl.BeginErrorReadLine();
        }

        /// <summary>Stops probing; the slowest answer and when it came, since the probe began.</summary>
        public (TimeSpan Slowest, TimeSpan At) Stop()
        {
            _curl.Kill();
            Assert.True(_curl.WaitForExit(TimeSpan.FromSeconds(15)), "the /healthz probe stops");
            _curl.WaitForExit();
            lock (_gate)
            {
                Assert.True(_answers > 0, $"curl probed /healthz: {_errors}");
                Assert.True(_failures == 0, $"/healthz did not answer 200 {_failures} of {_answers} times");
                return (_slowest, _slowestAt);
            }
        }

        public void Dispose()
        {
            if (!_curl.HasExited)
            {
                _curl.Kill();
                _curl.WaitForExit(TimeSpan.FromSeconds(15));
            }

            _curl.Dispose();
        }

        /// <summary>One line of curl's output: the body, or the marker line with the status code and seconds taken.</summary>
        private void Read(string? line)
        {
            if (line is null || !line.StartsWith(Marker, StringComparison.Ordinal))
            {
                return;
            }

            // A line cut short by the kill that stops curl is not an answer (and a throw here would end the test host).
            var parts = line[Marker.Length..].Split(' ');
            if (parts.Length < 2 || !double.TryParse(parts[1], NumberStyles.Float, CultureInfo.InvariantCulture, out double seconds))
            {
                return;
            }

            var took = TimeSpan.FromSeconds(seconds);
            lock (_gate)
            {
                _answers++;
                _failures += parts[0] == "200" ? 0 : 1;
                if (took > _slowest)
                {
                    _slowest = took;
                    _slowestAt = _since.Elapsed;
                }
            }
        }
    }
}
