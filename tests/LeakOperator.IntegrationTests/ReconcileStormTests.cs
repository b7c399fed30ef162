using System.Diagnostics;
using System.Globalization;
using LeakOperator.IntegrationTests.ControlPlane;
using LeakOperator.Operator.Api;
using LeakOperator.TestSupport;
using Xunit.Abstractions;

namespace LeakOperator.IntegrationTests;

/// <summary>
/// The write-up's pressure test against the real API server: a ticker started inside every reconcile whose ticks
/// re-enqueue the object (leaky), against one SafeTicker per object registered idempotently (safe). Each mode runs in
/// its own operator process, as the write-up compared two controllers, and prints the write-up's three figures.
/// </summary>
[Collection(ControlPlaneGroup.Name)]
[Trait("Category", "Benchmark")]
public sealed class ReconcileStormTests(ControlPlaneFixture fixture, ITestOutputHelper output)
{
    private const int Objects = 10;
    private const int MaxUnitsPerTest = 300;
    private static readonly TimeSpan s_window = TimeSpan.FromSeconds(15);

    [Fact]
    public async Task A_ticker_per_reconcile_multiplies_loops_and_reconciles_until_capped_and_one_SafeTicker_per_object_does_not()
    {
        var leaky = await MeasureAsync("leaky");
        var safe = await MeasureAsync("safe");
        output.WriteLine($"Reconcile storm, {Objects} LeakTests per mode, tick 1 s, {s_window.TotalSeconds:0} s window, real kube-apiserver:");
        output.WriteLine($"{"",-28}{"leaky",12}{"safe",12}");
        output.WriteLine($"{"live timer loops",-28}{leaky.LiveLoops,12:0}{safe.LiveLoops,12:0}");
        output.WriteLine($"{"reconciles",-28}{leaky.Reconciles,12:0}{safe.Reconciles,12:0}");
        output.WriteLine($"{"watch events",-28}{leaky.WatchEvents,12:0}{safe.WatchEvents,12:0}");
        output.WriteLine($"{"reconciles per watch event",-28}{leaky.PerEvent,11:0.00}x{safe.PerEvent,11:0.00}x");
        output.WriteLine($"{"reconcile p95 (ms)",-28}{leaky.P95Ms,12:0.0}{safe.P95Ms,12:0.0}");
        output.WriteLine($"{"queue wait p95 (ms)",-28}{leaky.QueueP95Ms,12:0.0}{safe.QueueP95Ms,12:0.0}");
        output.WriteLine($"{"operator CPU (s)",-28}{leaky.CpuSeconds,12:0.00}{safe.CpuSeconds,12:0.00}");
        output.WriteLine($"{"tests capped (in the end)",-28}{leaky.Capped,12}{safe.Capped,12}");

        // One ticker per object, however many reconciles asked for one.
        Assert.Equal(Objects, safe.LiveLoops);
        Assert.Equal(0, safe.Capped);
        Assert.Equal(Objects, safe.TickersStarted);

        // The storm: loops multiply up to the cap, which engages on every leaky test and stops them there.
        Assert.Equal(Objects, leaky.Capped);

        // Capped within seconds of a 600 s run, the line is flat from then on; what the storm kept still says Leaking.
        Assert.Equal(Objects, leaky.Leaking);
        Assert.Equal(0, safe.Leaking);
        Assert.InRange(leaky.LiveLoops, Objects * MaxUnitsPerTest * 0.9, Objects * MaxUnitsPerTest);
        Assert.True(leaky.PerEvent >= 5 * safe.PerEvent, $"reconciles per watch event: leaky {leaky.PerEvent:0.00}x, safe {safe.PerEvent:0.00}x");
    }

    private async Task<Figures> MeasureAsync(string mode)
    {
        await using var ns = await TestNamespace.CreateAsync(fixture, $"storm-{mode}");
        var objects = new LeakTestObjects(fixture.Admin);
        await using var op = await RunningOperator.StartAsync(fixture, $"storm-{ns}", "--leader-elect", "false");
        await op.WaitUntilReadyAsync();
        var before = new Scrape(await op.ScrapeAsync());
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
                Task = new LeakTestTaskSpec { Pattern = "reconcile-storm" },
            }));
        }

        // A fixed window, the same for both modes: this is a measurement, not a wait for a condition.
        await Task.Delay(s_window);
        var after = new Scrape(await op.ScrapeAsync());
        var statuses = new List<LeakTestStatus>();
        await Eventually.True(
            async () =>
            {
                statuses.Clear();
                foreach (var name in names)
                {
                    if ((await objects.GetAsync(ns, name))?.Status is { } status)
                    {
                        statuses.Add(status);
                    }
                }

                // Leaky: the storm goes on until the cap stops it, on every test.
                return statuses.Count == Objects && statuses.All(s => s.Evidence is not null && (mode == "safe" || IsCapped(s)));
            },
            () => $"every storm test has a status{(mode == "leaky" ? " and is capped" : "")}: {statuses.Count(IsCapped)} capped of {statuses.Count}",
            TimeSpan.FromSeconds(90));

        string self = "controller=\"leak-operator\"";
        double reconciles = after.Sum("controller_runtime_reconcile_total", self) - before.Sum("controller_runtime_reconcile_total", self);
        double events = after.Sum("leakoperator_watch_events_total") - before.Sum("leakoperator_watch_events_total");
        double p95 = after.QuantileSince(before, 0.95, "controller_runtime_reconcile_time_seconds", self);
        string queue = "name=\"leak-operator\"";
        double queueP95 = after.QuantileSince(before, 0.95, "workqueue_queue_duration_seconds", queue);
        return new Figures(
            LiveLoops: statuses.Sum(s => s.LeakedUnits),
            Reconciles: reconciles,
            WatchEvents: events,
            P95Ms: p95 * 1000,
            QueueP95Ms: queueP95 * 1000,
            CpuSeconds: after.Sum("process_cpu_seconds_total") - before.Sum("process_cpu_seconds_total"),
            Capped: statuses.Count(IsCapped),
            Leaking: statuses.Count(s => s.Verdict == "Leaking"),
            TickersStarted: statuses.Sum(s => s.Evidence!.GetValueOrDefault("tickersStarted")));
    }

    private static bool IsCapped(LeakTestStatus status) => status.Conditions.Any(c => c.Type == LeakTestConditions.Capped && c.Status == "True");

    private sealed record Figures(double LiveLoops, double Reconciles, double WatchEvents, double P95Ms, double QueueP95Ms, double CpuSeconds, int Capped, int Leaking, double TickersStarted)
    {
        public double PerEvent => WatchEvents == 0 ? double.NaN : Reconciles / WatchEvents;
    }
}
