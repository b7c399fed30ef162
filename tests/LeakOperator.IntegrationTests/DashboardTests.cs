using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using System.Text.RegularExpressions;
using LeakOperator.IntegrationTests.ControlPlane;
using LeakOperator.Operator.Api;
using LeakOperator.TestSupport;

namespace LeakOperator.IntegrationTests;

/// <summary>
/// Every query of the Grafana dashboard, run by a real Prometheus that scraped the real operator while a leaky and a
/// safe LeakTest ran: each must succeed and return data, and the leak-growth panel must show leaky rising, safe flat.
/// </summary>
[Collection(ControlPlaneGroup.Name)]
public sealed partial class DashboardTests(ControlPlaneFixture fixture)
{
    private const string PrometheusBinary = "/usr/bin/prometheus";

    [Fact]
    public async Task Every_dashboard_query_returns_data_from_a_real_Prometheus_and_leaky_rises_while_safe_stays_flat()
    {
        Assert.True(File.Exists(PrometheusBinary), "Debian's prometheus package is needed (.ci/run installs it)");
        await using var ns = await TestNamespace.CreateAsync(fixture, "dash");
        var objects = new LeakTestObjects(fixture.Admin);
        await using var op = await RunningOperator.StartAsync(fixture, $"dash-{ns}", "--leader-elect", "false");
        await objects.CreateAsync(LeakTestObjects.New(ns, "loops-leaky", new LeakTestSpec { LeakType = "task", Mode = "leaky", DurationSeconds = 600, RatePerSecond = 10 }));
        await objects.CreateAsync(LeakTestObjects.New(ns, "loops-safe", new LeakTestSpec { LeakType = "task", Mode = "safe", DurationSeconds = 600, RatePerSecond = 10 }));
        await using var prometheus = await Prometheus.StartAsync(op.MetricsUrl);

        await Eventually.True(
            async () => await prometheus.CountAsync($"count_over_time(leakoperator_leaked_units{{name=\"loops-leaky\"}}[1m]) >= 20") == 1,
            "Prometheus has 20 s of the operator's samples",
            TimeSpan.FromSeconds(90),
            TimeSpan.FromSeconds(1));

        using var dashboard = JsonDocument.Parse(await File.ReadAllTextAsync(Repository.PathOf("deploy", "grafana", "leak-operator.json")));
        var exported = await op.ScrapeAsync();
        var panels = dashboard.RootElement.GetProperty("panels").EnumerateArray().ToList();
        foreach (var panel in panels)
        {
            foreach (var target in panel.GetProperty("targets").EnumerateArray())
            {
                string expr = Substitute(target.GetProperty("expr").GetString()!, ns);
                foreach (Match metric in MetricName().Matches(expr))
                {
                    string name = HistogramPart().Replace(metric.Value, "");
                    Assert.True(exported.Contains($"# TYPE {name} ", StringComparison.Ordinal), $"panel '{panel.GetProperty("title")}' uses {name}, which the operator does not export");
                }

                Assert.True(await prometheus.CountAsync(expr) > 0, $"panel '{panel.GetProperty("title")}' query returned no data: {expr}");
            }
        }

        foreach (var variable in dashboard.RootElement.GetProperty("templating").GetProperty("list").EnumerateArray().Where(v => v.GetProperty("type").GetString() == "query"))
        {
            string selector = LabelValues().Match(variable.GetProperty("definition").GetString()!).Groups[1].Value;
            Assert.True(await prometheus.CountAsync($"count({Substitute(selector, ns)})") > 0, $"variable {variable.GetProperty("name")} has no values");
        }

        // The leak-growth panel, over the last 20 s: the leaky line climbs, the safe one is flat.
        string growth = Substitute(panels[0].GetProperty("targets")[0].GetProperty("expr").GetString()!, ns);
        var series = await prometheus.RangeAsync(growth, TimeSpan.FromSeconds(20));
        var leaky = series.Single(s => s.Name == "loops-leaky").Values;
        var safe = series.Single(s => s.Name == "loops-safe").Values;
        Assert.True(leaky[^1] - leaky[0] >= 100, $"leaky rose only from {leaky[0]} to {leaky[^1]}");
        Assert.True(safe.Max() - safe.Min() <= 1, $"safe moved between {safe.Min()} and {safe.Max()}");
    }

    private static string Substitute(string expr, string ns) => expr.Replace("$namespace", ns, StringComparison.Ordinal).Replace("$leaktest", ".*", StringComparison.Ordinal);

    [GeneratedRegex(@"\b(leakoperator_[a-z_]+|controller_runtime_[a-z_]+|workqueue_[a-z_]+|process_[a-z_]+)\b")]
    private static partial Regex MetricName();

    [GeneratedRegex("_(bucket|sum|count)$")]
    private static partial Regex HistogramPart();

    [GeneratedRegex(@"label_values\((.*),\s*\w+\)$")]
    private static partial Regex LabelValues();

    /// <summary>Debian's Prometheus on a free loopback port, scraping one target every second.</summary>
    private sealed class Prometheus : IAsyncDisposable
    {
        private readonly Process _process;
        private readonly string _dir;
        private readonly HttpClient _http;

        private Prometheus(Process process, string dir, Uri api)
        {
            _process = process;
            _dir = dir;
            _http = new HttpClient { BaseAddress = api, Timeout = TimeSpan.FromSeconds(10) };
        }

        public static async Task<Prometheus> StartAsync(Uri target)
        {
            string dir = Directory.CreateTempSubdirectory("leakoperator-prometheus-").FullName;
            int port = TestSupport.Ports.Free();
            File.WriteAllText(Path.Combine(dir, "prometheus.yml"), $"""
                global:
                  scrape_interval: 1s
                  evaluation_interval: 1s
                scrape_configs:
                  - job_name: leak-operator
                    metrics_path: {target.AbsolutePath}
                    static_configs:
                      - targets: ["{target.Authority}"]
                """);
            var start = new ProcessStartInfo(PrometheusBinary, [
                $"--config.file={Path.Combine(dir, "prometheus.yml")}",
                $"--storage.tsdb.path={Path.Combine(dir, "data")}",
                $"--web.listen-address=127.0.0.1:{port}",
            ])
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
            };
            var process = Process.Start(start)!;
            process.BeginOutputReadLine();
            process.BeginErrorReadLine();
            var prometheus = new Prometheus(process, dir, new Uri($"http://127.0.0.1:{port}/"));
            await Eventually.True(async () => (await prometheus._http.GetAsync("-/ready")).IsSuccessStatusCode, "Prometheus is ready", TimeSpan.FromSeconds(60));
            return prometheus;
        }

        /// <summary>Runs an instant query; fails unless it succeeds; returns how many series it gave.</summary>
        public async Task<int> CountAsync(string expr)
        {
            using var response = await _http.GetAsync($"api/v1/query?query={Uri.EscapeDataString(expr)}");
            using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
            Assert.True(body.RootElement.GetProperty("status").GetString() == "success", $"query failed: {expr}: {body.RootElement}");
            return body.RootElement.GetProperty("data").GetProperty("result").GetArrayLength();
        }

        public async Task<List<(string Name, double[] Values)>> RangeAsync(string expr, TimeSpan window)
        {
            var end = DateTimeOffset.UtcNow;
            var url = $"api/v1/query_range?query={Uri.EscapeDataString(expr)}&start={(end - window).ToUnixTimeSeconds()}&end={end.ToUnixTimeSeconds()}&step=1";
            using var response = await _http.GetAsync(url);
            using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
            Assert.Equal("success", body.RootElement.GetProperty("status").GetString());
            return [.. body.RootElement.GetProperty("data").GetProperty("result").EnumerateArray().Select(series => (
                series.GetProperty("metric").GetProperty("name").GetString()!,
                series.GetProperty("values").EnumerateArray().Select(v => double.Parse(v[1].GetString()!, System.Globalization.CultureInfo.InvariantCulture)).ToArray()))];
        }

        public async ValueTask DisposeAsync()
        {
            _http.Dispose();
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
                await _process.WaitForExitAsync();
            }

            _process.Dispose();
            try
            {
                Directory.Delete(_dir, recursive: true);
            }
            catch (IOException)
            {
                // Prometheus may still hold a file for a moment; the temp folder is cleaned by the system.
            }
        }
    }
}
