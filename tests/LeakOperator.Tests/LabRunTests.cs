using System.Net.Http;
using System.Text.Json;
using System.Text.RegularExpressions;
using LeakOperator.TestSupport;

namespace LeakOperator.Tests;

/// <summary>The first thing a newcomer runs, run for real: a short lab in its own process.</summary>
public sealed partial class LabRunTests
{
    /// <summary>Ctrl-C or SIGTERM mid-run: injection ends early, everything is released, the summary and reports still come.</summary>
    [Theory]
    [InlineData("INT", 130)]
    [InlineData("TERM", 143)]
    public async Task A_signal_ends_the_lab_early_with_its_summary_and_reports(string signal, int exitCode)
    {
        string dir = Directory.CreateTempSubdirectory("lab-signal-").FullName;
        string json = Path.Combine(dir, "lab.json");
        string html = Path.Combine(dir, "lab.html");
        await using var lab = OperatorProcess.Start("lab", "--duration", "600", "--leak", "task", "--json", json, "--html", html);
        string metricsUrl = await lab.WaitForOutput(MetricsLine(), TimeSpan.FromSeconds(60));
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
        await Eventually.True(async () => TaskLeakyUnitsAbove(20)(await http.GetStringAsync(metricsUrl)), "the leaky loops grow", TimeSpan.FromSeconds(30), TimeSpan.FromMilliseconds(200));

        if (signal == "INT")
        {
            lab.Interrupt();
        }
        else
        {
            lab.Terminate();
        }

        Assert.Equal(exitCode, await lab.ExitCodeAsync(TimeSpan.FromSeconds(60)));
        Assert.Contains($"Stopped early by SIG{signal}", lab.Stdout, StringComparison.Ordinal);
        Assert.Contains("Leaky against safe", lab.Stdout, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", lab.Stdout + lab.Stderr, StringComparison.Ordinal);
        using var report = JsonDocument.Parse(await File.ReadAllTextAsync(json));
        Assert.Equal($"SIG{signal}", report.RootElement.GetProperty("stoppedBy").GetString());
        var leaky = report.RootElement.GetProperty("subjects").EnumerateArray().Single(s => s.GetProperty("mode").GetString() == "leaky");
        Assert.True(leaky.GetProperty("endUnits").GetDouble() > 20, $"the report covers the run so far: {leaky}");
        Assert.Equal(0, leaky.GetProperty("unitsHeldAfterRelease").GetInt64());
        Assert.Contains("<svg ", await File.ReadAllTextAsync(html), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_short_lab_shows_every_leaky_variant_leaking_and_every_safe_one_stable_and_serves_metrics_meanwhile()
    {
        string dir = Directory.CreateTempSubdirectory("lab-").FullName;
        string json = Path.Combine(dir, "lab.json");
        string html = Path.Combine(dir, "lab.html");
        await using var lab = OperatorProcess.Start("lab", "--duration", "12", "--port", "0", "--json", json, "--html", html);

        string metricsUrl = await lab.WaitForOutput(MetricsLine(), TimeSpan.FromSeconds(60));
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
        Assert.Equal("ok", await http.GetStringAsync(metricsUrl.Replace("/metrics", "/healthz", StringComparison.Ordinal)));
        string scrape = "";
        await Eventually.True(
            async () => TaskLeakyUnitsAbove(0)(scrape = await http.GetStringAsync(metricsUrl)),
            () => $"/metrics shows the leaky task loops growing. Last scrape:\n{scrape}",
            TimeSpan.FromSeconds(30),
            TimeSpan.FromMilliseconds(200));
        Assert.Contains("leakoperator_leaked_units{leak_type=\"task\",mode=\"safe\",namespace=\"lab\",name=\"task-safe\"}", scrape, StringComparison.Ordinal);
        Assert.Contains("leakoperator_runtime_active_timers", scrape, StringComparison.Ordinal);
        Assert.Contains("leakoperator_http_client_open_connections", scrape, StringComparison.Ordinal);
        Assert.Contains("process_working_set_bytes", scrape, StringComparison.Ordinal);

        using var inventory = JsonDocument.Parse(await http.GetStringAsync(metricsUrl.Replace("/metrics", "/debug/leaks", StringComparison.Ordinal)));
        var injections = inventory.RootElement.GetProperty("injections").EnumerateArray().ToList();
        Assert.Equal(6, injections.Count);
        var loops = injections.Single(i => i.GetProperty("owner").GetProperty("name").GetString() == "task-leaky");
        Assert.Equal("unstopped-periodic-timer", loops.GetProperty("pattern").GetString());
        Assert.True(loops.GetProperty("liveUnits").GetInt64() > 0);
        Assert.True(loops.GetProperty("evidence").GetProperty("ticksDelivered").GetDouble() >= 0);
        Assert.True(inventory.RootElement.GetProperty("runtime").GetProperty("activeTimers").GetInt64() > 0);

        // The timer dump names the leaking loop, with as many timers as the injection holds loops (they grow 20 a
        // second, so the two readings, taken one after the other, may differ by a few).
        string dump = await http.GetStringAsync(metricsUrl.Replace("/metrics", "/debug/timers", StringComparison.Ordinal));
        using var leaksNow = JsonDocument.Parse(await http.GetStringAsync(metricsUrl.Replace("/metrics", "/debug/leaks", StringComparison.Ordinal)));
        long liveLoops = leaksNow.RootElement
            .GetProperty("injections")
            .EnumerateArray()
            .Single(i => i.GetProperty("owner").GetProperty("name").GetString() == "task-leaky")
            .GetProperty("liveUnits")
            .GetInt64();
        long dumpedLoops = TimerDumpText.Count(dump, TimerDumpText.LeakyTaskLoop, "PeriodicTimer");
        Assert.True(dumpedLoops > 0, dump);
        Assert.True(Math.Abs(dumpedLoops - liveLoops) <= 10 + (liveLoops / 50), $"dump {dumpedLoops} loops, /debug/leaks {liveLoops} loops\n{dump}");

        Assert.Equal(0, await lab.ExitCodeAsync(TimeSpan.FromSeconds(120)));
        using var report = JsonDocument.Parse(await File.ReadAllTextAsync(json));
        var scenarios = report.RootElement.GetProperty("subjects").EnumerateArray().ToList();
        Assert.Equal(6, scenarios.Count);
        foreach (var scenario in scenarios)
        {
            string name = $"{scenario.GetProperty("leakType").GetString()}/{scenario.GetProperty("mode").GetString()}";
            string expected = scenario.GetProperty("mode").GetString() == "leaky" ? "Leaking" : "Stable";
            Assert.True(expected == scenario.GetProperty("verdict").GetString(), $"{name}: expected {expected}, report says {scenario}");
            Assert.Equal(0, scenario.GetProperty("unitsHeldAfterRelease").GetInt64());
            Assert.True(scenario.GetProperty("runtime").GetProperty("activeTimers").GetInt64() > 0, $"{name} carries the runtime readings");
        }

        string page = await File.ReadAllTextAsync(html);
        // A chart per leak type with its leaky and its safe line, and the four-chart process timeline.
        Assert.Equal(3, Regex.Count(page, "<polyline class=\"line leaky"));
        Assert.Equal(3, Regex.Count(page, "<polyline class=\"line safe"));
        Assert.Equal(4, Regex.Count(page, "<polyline class=\"line process"));
        Assert.Contains("Leaking", lab.Stdout, StringComparison.Ordinal);
    }

    /// <summary>
    /// A scraper polling /metrics every second over one keep-alive connection (as Prometheus does) must not make the lab
    /// fail its own leak check: before, one scrape left 23 timers behind (prometheus-net's adapters) and the connection
    /// counted as a socket the lab had not closed.
    /// </summary>
    [Fact]
    public async Task Scraped_every_second_the_lab_ends_back_to_baseline_and_exits_0()
    {
        string json = Path.Combine(Directory.CreateTempSubdirectory("lab-scraped-").FullName, "lab.json");
        await using var lab = OperatorProcess.Start("lab", "--duration", "10", "--json", json);
        string metricsUrl = await lab.WaitForOutput(MetricsLine(), TimeSpan.FromSeconds(60));
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
        int scrapes = 0;
        var exited = lab.ExitCodeAsync(TimeSpan.FromSeconds(120));
        while (!exited.IsCompleted)
        {
            try
            {
                Assert.Contains("leakoperator_runtime_active_timers", await http.GetStringAsync(metricsUrl), StringComparison.Ordinal);
                scrapes++;
            }
            catch (HttpRequestException) when (exited.IsCompleted || lab.Stdout.Contains("After release", StringComparison.Ordinal))
            {
                // The lab stopped serving as it finished.
            }

            await Task.WhenAny(exited, Task.Delay(TimeSpan.FromSeconds(1)));
        }

        Assert.True(0 == await exited, $"exit {await exited}\n{lab.Stdout}{lab.Stderr}");
        Assert.True(scrapes >= 8, $"{scrapes} scrapes");
        Assert.Contains("After release and a full GC: Back to baseline", lab.Stdout, StringComparison.Ordinal);
        using var report = JsonDocument.Parse(await File.ReadAllTextAsync(json));
        Assert.True(report.RootElement.GetProperty("afterReleaseCheck").GetProperty("backToBaseline").GetBoolean());
        // The scraper's connection was still open at the final reading: counted apart, beside the listener.
        Assert.True(report.RootElement.GetProperty("afterRelease").GetProperty("servingSockets").GetInt32() >= 2, report.RootElement.GetProperty("afterRelease").ToString());
    }

    [Theory]
    [InlineData("lost-stop", "ticksAfterStop")]
    [InlineData("early-return", "earlyReturns")]
    [InlineData("double-stop", "doubleCleanups")]
    [InlineData("tick-after-stop", "ticksAfterStop")]
    [InlineData("cancel-without-dispose", "loopsEnded")]
    [InlineData("reconcile-storm", "reconciles")]
    [InlineData("reconcile-storm-direct", "reconciles")]
    public async Task A_scenario_races_the_naive_ticker_against_SafeTicker_and_reports_its_evidence(string scenario, string evidence)
    {
        string json = Path.Combine(Directory.CreateTempSubdirectory("lab-").FullName, "lab.json");
        await using var lab = OperatorProcess.Start("lab", "--scenario", scenario, "--duration", "6", "--port", "0", "--json", json);

        Assert.Equal(0, await lab.ExitCodeAsync(TimeSpan.FromSeconds(120)));
        using var report = JsonDocument.Parse(await File.ReadAllTextAsync(json));
        var results = report.RootElement.GetProperty("subjects").EnumerateArray().ToDictionary(s => s.GetProperty("mode").GetString()!);
        var leaky = results["leaky"];
        var safe = results["safe"];
        Assert.True(leaky.GetProperty("verdict").GetString() == "Leaking", $"{scenario} leaky: {leaky}");
        Assert.True(safe.GetProperty("verdict").GetString() == "Stable", $"{scenario} safe: {safe}");
        bool storm = scenario.StartsWith("reconcile-storm", StringComparison.Ordinal);
        Assert.Equal(storm ? $"{scenario}-ticker-per-reconcile" : $"{scenario}-naive", leaky.GetProperty("pattern").GetString());
        Assert.True(leaky.GetProperty("endUnits").GetDouble() >= 10, $"{scenario} leaky ends with {leaky.GetProperty("endUnits")}");
        // The safe storm keeps its one SafeTicker per object while injecting; every other safe scenario holds nothing.
        Assert.Equal(storm ? 1 : 0, safe.GetProperty("endUnits").GetDouble());
        Assert.True(leaky.GetProperty("evidence").GetProperty(evidence).GetDouble() >= 10, $"{scenario} leaky evidence: {leaky.GetProperty("evidence")}");
        foreach (var side in new[] { leaky, safe })
        {
            Assert.Equal(0, side.GetProperty("unitsHeldAfterRelease").GetInt64());
        }

        // Where the evidence is the failure itself, the fixed code shows none of it.
        if (evidence is "ticksAfterStop" or "doubleCleanups")
        {
            Assert.Equal(0, safe.GetProperty("evidence").GetProperty(evidence).GetDouble());
        }

        Assert.Contains($"Leaky against safe: {scenario}", lab.Stdout, StringComparison.Ordinal);
    }

    private static Func<string, bool> TaskLeakyUnitsAbove(double floor) => scrape =>
    {
        var match = TaskLeakyUnits().Match(scrape);
        return match.Success && double.Parse(match.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture) > floor;
    };

    [GeneratedRegex(@"Metrics: (http://127\.0\.0\.1:\d+/metrics)")]
    private static partial Regex MetricsLine();

    [GeneratedRegex(@"leakoperator_leaked_units\{leak_type=""task"",mode=""leaky"",namespace=""lab"",name=""task-leaky""\} ([0-9.e+]+)")]
    private static partial Regex TaskLeakyUnits();
}
