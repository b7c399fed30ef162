using System.Diagnostics;
using LeakOperator.IntegrationTests.ControlPlane;
using LeakOperator.Operator.Api;
using LeakOperator.TestSupport;
using Xunit.Abstractions;

namespace LeakOperator.IntegrationTests;

/// <summary>
/// The issue's release benchmark: per leak type, the time from `kubectl delete` to the units being released (the
/// finalizer gone) and to the process readings being back at their baseline. Printed; the assertions are only that
/// both happen.
/// </summary>
[Collection(ControlPlaneGroup.Name)]
[Trait("Category", "Benchmark")]
public sealed class ReleaseBenchmarkTests(ControlPlaneFixture fixture, ITestOutputHelper output)
{
    private static readonly TimeSpan s_deadline = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task Deleting_a_leaky_test_releases_its_units_and_the_process_comes_back_to_baseline()
    {
        await using var bed = await OperatorTestBed.StartAsync(fixture, "release", "--leader-elect", "false");
        var (ns, objects, op) = bed;
        await op.WaitUntilReadyAsync();

        // The first scrape starts prometheus-net's Meter adapter, which gives each instrument a reaper (a 5 min
        // Task.Delay): 27 timers in one run, after the first reading. Baselines are read from the second scrape on.
        await op.ScrapeAsync();
        output.WriteLine($"{"leak",-10}{"held",8}  {"delete → released",18}  {"→ process at baseline",22}  reading");
        var cases = new (string Type, double Rate, double Held, string Reading, double Margin)[]
        {
            ("task", 200, 1000, "leakoperator_runtime_active_timers", 20),
            ("http-conn", 20, 100, "leakoperator_open_sockets", 5),
            ("memory", 32, 128, "leakoperator_gc_heap_bytes", 16 * 1048576),
        };
        foreach (var (type, rate, held, reading, margin) in cases)
        {
            double baseline = new Scrape(await op.ScrapeAsync()).Sum(reading);
            string name = $"{type}-held";
            string series = RunningOperator.LeakedUnitsSeries(type, "leaky", ns, name);
            await objects.CreateAsync(LeakTestObjects.New(ns, name, new LeakTestSpec { LeakType = type, DurationSeconds = 600, RatePerSecond = rate, MaxUnits = (long)held }));
            await Eventually.True(async () => RunningOperator.Value(await op.ScrapeAsync(), series) >= held, $"{type} holds {held}", s_deadline);

            var clock = Stopwatch.StartNew();
            await objects.DeleteAsync(ns, name);
            await Eventually.True(async () => await objects.GetAsync(ns, name) is null, $"{name} is released and gone", s_deadline, TimeSpan.FromMilliseconds(20));
            var released = clock.Elapsed;
            double last = double.NaN;
            await Eventually.True(
                async () => (last = new Scrape(await op.ScrapeAsync()).Sum(reading)) <= baseline + margin,
                () => $"{reading} back near {baseline} (last {last})",
                s_deadline,
                TimeSpan.FromMilliseconds(50));
            output.WriteLine($"{type,-10}{held,8:0}  {released.TotalMilliseconds,15:0} ms  {clock.Elapsed.TotalMilliseconds,19:0} ms  {reading} {baseline:0} → {last:0}");
        }
    }
}
