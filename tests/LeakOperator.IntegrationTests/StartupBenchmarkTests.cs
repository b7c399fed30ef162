using System.Diagnostics;
using LeakOperator.IntegrationTests.ControlPlane;
using LeakOperator.Operator.Api;
using LeakOperator.TestSupport;
using Xunit.Abstractions;

namespace LeakOperator.IntegrationTests;

/// <summary>
/// The issue's controller benchmark: 1,000 safe LeakTests already exist when the operator starts; how long until
/// every one has observedGeneration == generation, at what peak working set and reconcile p95. Printed, with a
/// generous ceiling only (speed goals are numbers to read, not timed assertions).
/// </summary>
[Collection(ControlPlaneGroup.Name)]
[Trait("Category", "Benchmark")]
public sealed class StartupBenchmarkTests(ControlPlaneFixture fixture, ITestOutputHelper output)
{
    private const int Tests = 1000;

    [Fact]
    public async Task A_thousand_existing_LeakTests_are_all_observed_after_startup()
    {
        await using var ns = await TestNamespace.CreateAsync(fixture, "startup");
        var objects = new LeakTestObjects(fixture.Admin);
        var names = Enumerable.Range(0, Tests).Select(i => $"t{i:0000}").ToList();
        await Parallel.ForEachAsync(names, new ParallelOptions { MaxDegreeOfParallelism = 16 }, async (name, _) =>
            await objects.CreateAsync(LeakTestObjects.New(ns, name, new LeakTestSpec { LeakType = "task", Mode = "safe", DurationSeconds = 600, RatePerSecond = 0.1, MaxUnits = 1 })));

        var clock = Stopwatch.StartNew();
        await using var op = await RunningOperator.StartAsync(fixture, $"startup-{ns}", "--leader-elect", "false");
        var before = new Scrape(await op.ScrapeAsync());
        double peakWorkingSet = 0;
        var pending = new HashSet<string>(names, StringComparer.Ordinal);
        await Eventually.True(
            async () =>
            {
                peakWorkingSet = Math.Max(peakWorkingSet, new Scrape(await op.ScrapeAsync()).Sum("process_working_set_bytes"));
                var list = await objects.ListAsync(ns);
                pending.RemoveWhere(name => list.TryGetValue(name, out var t) && t.Status?.ObservedGeneration == t.Metadata.Generation);
                return pending.Count == 0;
            },
            () => $"{pending.Count} of {Tests} not yet observed, e.g. {string.Join(", ", pending.Take(5))}",
            TimeSpan.FromSeconds(180),
            TimeSpan.FromSeconds(1));
        var elapsed = clock.Elapsed;
        var after = new Scrape(await op.ScrapeAsync());
        peakWorkingSet = Math.Max(peakWorkingSet, after.Sum("process_working_set_bytes"));
        string self = "controller=\"leak-operator\"";
        double p95 = Scrape.Quantile(0.95, before.Buckets("controller_runtime_reconcile_time_seconds", self), after.Buckets("controller_runtime_reconcile_time_seconds", self));

        output.WriteLine($"{Tests} existing safe task LeakTests (one SafeTicker each), operator started cold (process start included), default workers (8), no client-side rate limit:");
        output.WriteLine($"  all observed after  {elapsed.TotalSeconds,8:0.0} s");
        output.WriteLine($"  peak working set    {peakWorkingSet / 1048576,8:0.0} MiB (sampled every second)");
        output.WriteLine($"  reconcile p95       {p95 * 1000,8:0.0} ms");
        output.WriteLine($"  reconciles          {after.Sum("controller_runtime_reconcile_total", self),8:0}");
        Assert.Empty(pending);
    }
}
