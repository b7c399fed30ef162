using System.Diagnostics;
using System.Globalization;
using LeakOperator.Controller.Resources;
using LeakOperator.IntegrationTests.ControlPlane;
using LeakOperator.Operator;
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
    /// <param name="workers">8 is the default; 4 is what the Go reference ran with.</param>
    [Theory]
    [InlineData(8)]
    [InlineData(4)]
    public async Task A_thousand_existing_LeakTests_are_all_observed_after_startup(int workers)
    {
        await using var existing = await ExistingLeakTests.CreateAsync(fixture, "startup");

        var apiBefore = await fixture.ScrapeApiServerAsync();
        var clock = Stopwatch.StartNew();
        await using var op = await RunningOperator.StartAsync(fixture, $"startup-{existing.Namespace}", "--leader-elect", "false", "--workers", workers.ToString(CultureInfo.InvariantCulture));
        var serving = clock.Elapsed;
        var before = new Scrape(await op.ScrapeAsync());
        double peakWorkingSet = 0;
        using var sampling = new CancellationTokenSource();
        var sampler = Task.Run(async () =>
        {
            while (!sampling.IsCancellationRequested)
            {
                peakWorkingSet = Math.Max(peakWorkingSet, new Scrape(await op.ScrapeAsync()).Sum("process_working_set_bytes"));
                await Task.Delay(TimeSpan.FromSeconds(1), sampling.Token).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            }
        });
        var observation = await existing.WatchUntilObservedAsync(clock, TimeSpan.FromSeconds(180), output);
        await sampling.CancelAsync();
        await sampler;
        var elapsed = observation.Ended;
        var after = new Scrape(await op.ScrapeAsync());
        peakWorkingSet = Math.Max(peakWorkingSet, after.Sum("process_working_set_bytes"));
        double heap = after.Sum("dotnet_total_memory_bytes");
        string self = "controller=\"leak-operator\"";
        double p95 = after.QuantileSince(before, 0.95, "controller_runtime_reconcile_time_seconds", self);

        var apiAfter = await fixture.ScrapeApiServerAsync();

        // Afterwards all 1,000 keep injecting; their refreshes are paced to the operator-wide rate, not 2 s each. The
        // window is longer than one paced interval (50 s for 1,000 at 20/s), so every LeakTest is due in it once.
        var steady = TimeSpan.FromSeconds(60);
        await Task.Delay(steady);
        var apiSteady = await fixture.ScrapeApiServerAsync();
        double refreshWrites = StatusWrites(apiSteady) - StatusWrites(apiAfter);
        double refreshRate = refreshWrites / steady.TotalSeconds;
        output.WriteLine(
            $"{ExistingLeakTests.Count} existing safe task LeakTests (one SafeTicker each), "
            + $"operator started cold (process start included), {workers} workers, no client-side rate limit:");
        output.WriteLine($"  serving /metrics    {serving.TotalSeconds,8:0.0} s after the process started");
        output.WriteLine($"  all observed after  {elapsed.TotalSeconds,8:0.0} s");
        output.WriteLine($"  peak working set    {peakWorkingSet / 1048576,8:0.0} MiB (sampled every second; {before.Sum("process_working_set_bytes") / 1048576:0.0} MiB when first serving)");
        output.WriteLine($"  GC heap at the end  {heap / 1048576,8:0.0} MiB");
        output.WriteLine($"  reconcile p95       {p95 * 1000,8:0.0} ms");
        output.WriteLine($"  reconciles          {after.Sum("controller_runtime_reconcile_total", self),8:0}");
        output.WriteLine("  API requests per LeakTest in the window:");
        foreach (var (request, count) in ApiRequests(apiBefore, apiAfter))
        {
            output.WriteLine($"    {request,-34} {count / (double)ExistingLeakTests.Count,6:0.00}");
        }

        foreach (var (request, count) in ApiRequests(apiAfter, apiSteady))
        {
            output.WriteLine($"    steady {request,-34} {count / steady.TotalSeconds,6:0.0}/s");
        }

        output.WriteLine(
            $"  then, all injecting: {refreshRate,5:0.0} status writes/s over {steady.TotalSeconds:0} s "
            + $"(paced to {StatusPacing.DefaultRefreshesPerSecond:0}/s; "
            + $"unpaced would be one per LeakTest every {StatusPacing.InjectingRefresh.TotalSeconds:0} s)");

        Assert.Empty(observation.Pending);
        Assert.True(
            refreshRate <= StatusPacing.DefaultRefreshesPerSecond * 1.5,
            $"status refreshes should be paced to {StatusPacing.DefaultRefreshesPerSecond}/s operator-wide, saw {refreshRate:0.0}/s");
    }

    private static double StatusWrites(Scrape api) =>
        api.Sum("apiserver_request_total", "verb=\"PUT\"", "resource=\"leaktests\"", "subresource=\"status\"");

    /// <summary>The API server's request counts that grew between two scrapes, by verb, resource and response code.</summary>
    private static IEnumerable<(string Request, double Count)> ApiRequests(Scrape before, Scrape after)
    {
        foreach (var series in after.Series("apiserver_request_total"))
        {
            double grew = after.Sum("apiserver_request_total", series) - before.Sum("apiserver_request_total", series);
            string[] kept =
            [
                .. series.Split(',').Where(l => l.StartsWith("verb=", StringComparison.Ordinal)
                    || l.StartsWith("resource=", StringComparison.Ordinal)
                    || l.StartsWith("subresource=", StringComparison.Ordinal)
                    || l.StartsWith("code=", StringComparison.Ordinal)),
            ];
            if (grew >= 10 && kept.Any(l => l.Contains("leaktests", StringComparison.Ordinal) || l.Contains("events", StringComparison.Ordinal)))
            {
                yield return (string.Join(' ', kept.Select(l => l.Split('=')[1].Trim('"'))), grew);
            }
        }
    }
}
