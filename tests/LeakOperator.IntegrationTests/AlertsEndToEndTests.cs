using System.Diagnostics;
using LeakOperator.IntegrationTests.ControlPlane;
using LeakOperator.Operator.Api;
using LeakOperator.TestSupport;
using Xunit.Abstractions;

namespace LeakOperator.IntegrationTests;

/// <summary>
/// The chart's alerts, as rendered (with a short window so a test can wait for them), loaded into a real Prometheus that
/// scrapes the real operator: while only safe LeakTests run, nothing fires; once a leaky one of each type runs, every
/// leak alert turns pending and then fires within its `for:` plus two scrape intervals, and never for a safe LeakTest.
/// Process-wide alerts cannot tell two LeakTests of one process apart, hence the two phases.
/// </summary>
[Collection(ControlPlaneGroup.Name)]
public sealed class AlertsEndToEndTests(ControlPlaneFixture fixture, ITestOutputHelper output)
{
    private static readonly TimeSpan s_window = TimeSpan.FromSeconds(40);
    private static readonly TimeSpan s_for = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan s_scrape = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan s_poll = TimeSpan.FromSeconds(1);

    /// <summary>Thresholds for a 40 s window at the rates below (memory 4 MiB/s, task 20 loops/s, http-conn 2/s): each
    /// leaky line crosses its own in under 25 s, and each is several times what a safe process moves in a window.</summary>
    private static readonly string[] s_sets =
    [
        "alerts.window=40s", "alerts.for=10s", "alerts.thresholds.memoryGrowthBytes=100663296",
        "alerts.thresholds.timerGrowth=200", "alerts.thresholds.httpConnectionGrowth=30",
    ];

    private static readonly (string Type, double Rate, long Max)[] s_leaks = [("memory", 4, 600), ("task", 20, 5000), ("http-conn", 2, 300)];

    [Fact]
    public async Task Every_leak_alert_fires_for_the_leaky_LeakTests_and_none_for_the_safe_ones()
    {
        string rules = await RenderRulesAsync();
        await using var bed = await OperatorTestBed.StartAsync(fixture, "alerts", "--leader-elect", "false");
        var (ns, objects, op) = bed;
        await using var prometheus = await PrometheusServer.StartAsync(op.MetricsUrl, rules);
        Assert.Equal(404, (await op.GetAsync("/debug/timers")).Status); // the timer dump is opt-in (--debug-timers)
        var everFiring = new List<string>();

        // Phase 1: only safe LeakTests, for a whole window and its `for:` (plus a margin): nothing may fire.
        foreach (var (type, rate, max) in s_leaks)
        {
            await objects.CreateAsync(LeakTestObjects.New(ns, $"{type}-safe", new LeakTestSpec { LeakType = type, Mode = "safe", DurationSeconds = 600, RatePerSecond = rate, MaxUnits = max }));
        }

        var quiet = Stopwatch.StartNew();
        while (quiet.Elapsed < s_window + s_for + TimeSpan.FromSeconds(10))
        {
            everFiring.AddRange(Firing(await prometheus.Api.AlertsAsync()));
            await Task.Delay(s_poll);
        }

        Assert.True(everFiring.Count == 0, $"with only safe LeakTests running, alerts fired: {string.Join(", ", everFiring.Distinct())}");

        // Phase 2: a leaky LeakTest of each type beside the safe ones.
        var expected = new List<string> { "DotNetWorkingSetGrowing", "DotNetGcHeapGrowing", "DotNetTimersGrowing", "DotNetHttpConnectionsGrowing" };
        foreach (var (type, rate, max) in s_leaks)
        {
            await objects.CreateAsync(LeakTestObjects.New(ns, $"{type}-leaky", new LeakTestSpec { LeakType = type, Mode = "leaky", DurationSeconds = 600, RatePerSecond = rate, MaxUnits = max }));
            expected.Add($"LeakOperatorLeakGrowing {type}-leaky");
            expected.Add($"LeakOperatorLeakTestLeaking {type}-leaky");
        }

        // Each alert must turn pending (its condition holds) within the overall deadline, then fire within its `for:`
        // plus two scrape intervals. The deadline leaves one more window for the GC heap: the heap-after-collection
        // reading moves only when a GC runs, and the memory leak's 1 MiB arrays go to the large object heap, which
        // collects rarely (measured: firing after 29.5 s in one run, 56 s in another).
        var leaking = Stopwatch.StartNew();
        var pendingAt = new Dictionary<string, TimeSpan>(StringComparer.Ordinal);
        var firedAt = new Dictionary<string, TimeSpan>(StringComparer.Ordinal);
        var deadline = (2 * s_window) + s_for + (2 * s_scrape);
        var pendingToFiring = s_for + (2 * s_scrape) + s_poll;
        while (leaking.Elapsed < deadline && firedAt.Count < expected.Count)
        {
            var alerts = await prometheus.Api.AlertsAsync();
            var firing = Firing(alerts);
            everFiring.AddRange(firing);
            // Pending is measured from the alert's last activation: a condition that held, lapsed (a GC heap step leaving
            // the window, a missed scrape) and holds again starts its `for:` over, so its earlier start is forgotten.
            var active = Named(alerts);
            foreach (var alert in pendingAt.Keys.Where(a => !active.Contains(a) && !firedAt.ContainsKey(a)).ToList())
            {
                pendingAt.Remove(alert);
            }

            foreach (var alert in active.Where(expected.Contains))
            {
                pendingAt.TryAdd(alert, leaking.Elapsed);
            }

            foreach (var alert in firing.Where(expected.Contains))
            {
                firedAt.TryAdd(alert, leaking.Elapsed);
            }

            await Task.Delay(s_poll);
        }

        foreach (var (alert, after) in firedAt.OrderBy(f => f.Value))
        {
            output.WriteLine($"{alert}: pending after {pendingAt[alert].TotalSeconds:0.0} s, firing after {after.TotalSeconds:0.0} s (for: {s_for.TotalSeconds:0} s)");
        }

        Assert.True(firedAt.Count == expected.Count, $"not firing within {deadline.TotalSeconds} s: {string.Join(", ", expected.Except(firedAt.Keys))}; fired: {string.Join(", ", firedAt.Keys)}");
        Assert.All(firedAt, f => Assert.True(
            f.Value - pendingAt[f.Key] <= pendingToFiring,
            $"{f.Key} fired {(f.Value - pendingAt[f.Key]).TotalSeconds:0.0} s after turning pending, more than its for: plus two scrapes (and a poll: {pendingToFiring.TotalSeconds} s)"));
        // The dashboard marks them: its annotation query finds every firing leak alert.
        var (annotation, expr) = Assert.Single(DashboardQueries.Annotations());
        int marked = 0;
        await Eventually.True(
            async () => (marked = await prometheus.Api.CountAsync(expr)) >= expected.Count,
            () => $"dashboard annotation '{annotation}' finds {marked} firing alerts, expected {expected.Count}: {expr}",
            s_window);

        var wrong = everFiring.Distinct().Where(a => a.EndsWith("-safe", StringComparison.Ordinal) || !expected.Contains(a)).ToList();
        Assert.True(wrong.Count == 0, $"alerts that must not fire did: {string.Join(", ", wrong)}");
    }

    /// <summary>Firing alerts as "Name" (process-wide) or "Name leaktest" (per LeakTest).</summary>
    private static List<string> Firing(IEnumerable<(string State, IReadOnlyDictionary<string, string> Labels)> alerts) =>
        Named(alerts.Where(a => a.State == "firing"));

    /// <summary>Alerts, pending or firing, named as in <see cref="Firing"/>.</summary>
    private static List<string> Named(IEnumerable<(string State, IReadOnlyDictionary<string, string> Labels)> alerts) =>
        [.. alerts.Select(a => a.Labels.TryGetValue("name", out var name) && a.Labels.ContainsKey("leak_type")
            ? $"{a.Labels["alertname"]} {name}"
            : a.Labels["alertname"])];

    private static async Task<string> RenderRulesAsync()
    {
        string path = Path.Combine(Directory.CreateTempSubdirectory("alerts-e2e-").FullName, "rules.yaml");
        string sets = string.Join(' ', s_sets.Select(s => $"--set {s}"));
        var (code, stdout, error) = await Tools.RunAsync("bash", ["-c", $"ALERT_SETS='{sets}' '{Repository.PathOf("scripts", "alert-rules.sh")}' '{path}'"]);
        Assert.True(code == 0, $"scripts/alert-rules.sh: {stdout}{error}");
        return await File.ReadAllTextAsync(path);
    }
}
