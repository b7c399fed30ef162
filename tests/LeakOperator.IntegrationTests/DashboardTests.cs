using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
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
            async () => await prometheus.Api.CountAsync($"count_over_time(leakoperator_leaked_units{{name=\"loops-leaky\"}}[1m]) >= 20") == 1,
            "Prometheus has 20 s of the operator's samples",
            TimeSpan.FromSeconds(90),
            TimeSpan.FromSeconds(1));

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

        /// <summary>Its HTTP API; an error's body (e.g. a bad query's message) is returned like any other.</summary>
        public PrometheusApi Api => new(async path =>
        {
            using var response = await _http.GetAsync(path);
            return await response.Content.ReadAsStringAsync();
        });

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
