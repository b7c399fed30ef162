using LeakOperator.IntegrationTests.ControlPlane;
using LeakOperator.Operator.Api;
using LeakOperator.TestSupport;

namespace LeakOperator.IntegrationTests;

/// <summary>
/// Every query of the Grafana dashboard, run by a real Prometheus that scraped the real operator while a leaky and a
/// safe LeakTest ran: each must succeed and return data, and the leak-growth panel must show leaky rising, safe flat.
/// </summary>
[Collection(ControlPlaneGroup.Name)]
public sealed class DashboardTests(ControlPlaneFixture fixture)
{
    [Fact]
    public async Task Every_dashboard_query_returns_data_from_a_real_Prometheus_and_leaky_rises_while_safe_stays_flat()
    {
        await using var bed = await OperatorTestBed.StartAsync(fixture, "dash", "--leader-elect", "false", "--debug-timers", "true");
        var (ns, objects, op) = bed;
        await objects.CreateAsync(LeakTestObjects.New(ns, "loops-leaky", new LeakTestSpec { LeakType = "task", Mode = "leaky", DurationSeconds = 600, RatePerSecond = 10 }));
        await objects.CreateAsync(LeakTestObjects.New(ns, "loops-safe", new LeakTestSpec { LeakType = "task", Mode = "safe", DurationSeconds = 600, RatePerSecond = 10 }));
        await using var prometheus = await PrometheusServer.StartAsync(op.MetricsUrl);

        await Eventually.True(
            async () => await prometheus.Api.CountAsync($"count_over_time(leakoperator_leaked_units{{name=\"loops-leaky\"}}[1m]) >= 20") == 1,
            "Prometheus has 20 s of the operator's samples",
            TimeSpan.FromSeconds(90),
            TimeSpan.FromSeconds(1));

        // Opted in, the operator serves its timer dump, naming the leaky LeakTest's loops.
        var (dumpStatus, dump) = await op.GetAsync("/debug/timers");
        Assert.True(
            dumpStatus == 200
                && dump.StartsWith("timer dump: total ", StringComparison.Ordinal)
                && TimerDumpText.Count(dump, TimerDumpText.LeakyTaskLoop, "PeriodicTimer") > 0,
            $"{dumpStatus}: {dump}");

        var exported = await op.ScrapeAsync();
        foreach (var (panel, expr) in DashboardQueries.Panels(ns))
        {
            foreach (string name in DashboardQueries.MetricNames(expr))
            {
                Assert.True(exported.Contains($"# TYPE {name} ", StringComparison.Ordinal), $"panel '{panel}' uses {name}, which the operator does not export");
            }

            Assert.True(await prometheus.Api.CountAsync(expr) > 0, $"panel '{panel}' query returned no data: {expr}");
        }

        foreach (var (variable, selector) in DashboardQueries.Variables(ns))
        {
            Assert.True(await prometheus.Api.CountAsync($"count({selector})") > 0, $"variable {variable} has no values");
        }

        // The leak-growth panel, over the last 20 s: the leaky line climbs, the safe one is flat.
        var series = await prometheus.Api.RangeAsync(DashboardQueries.Growth(ns), TimeSpan.FromSeconds(20));
        var leaky = series.Single(s => s.Name == "loops-leaky").Values;
        var safe = series.Single(s => s.Name == "loops-safe").Values;
        Assert.True(leaky[^1] - leaky[0] >= 100, $"leaky rose only from {leaky[0]} to {leaky[^1]}");
        Assert.True(safe.Max() - safe.Min() <= 1, $"safe moved between {safe.Min()} and {safe.Max()}");
    }
}
