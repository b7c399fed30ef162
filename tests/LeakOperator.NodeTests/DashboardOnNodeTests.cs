using System.Text.Json;
using LeakOperator.TestSupport;

namespace LeakOperator.NodeTests;

/// <summary>
/// Debian's Prometheus inside the node scrapes both operator pods as the chart deploys them, and every dashboard query
/// returns data from that scrape. Debian's build has no kubernetes_sd_configs, so the targets come from the
/// Service's Endpoints through file_sd_configs, as deploy/prometheus/ tells users of such a Prometheus.
/// </summary>
[Collection(NodeGroup.Name)]
public sealed class DashboardOnNodeTests(NodeFixture node)
{
    [Fact]
    public async Task Prometheus_scrapes_both_pods_and_every_dashboard_query_returns_data_with_leaky_rising_beside_flat_safe()
    {
        await using var release = await ChartRelease.InstallAsync(node, 4, "dash", "replicaCount=2");
        await release.WaitForReadyPodsAsync(2, TimeSpan.FromSeconds(60));
        string ns = await NodeShell.NewNamespaceAsync("dash");
        await NodeShell.ApplyAsync(
            ns,
            LeakTests.Manifest("loops-leaky", "task", "leaky", durationSeconds: 600, rate: 10)
            + LeakTests.Manifest("loops-safe", "task", "safe", durationSeconds: 600, rate: 10));

        var endpoints = await NodeShell.KubectlJsonAsync("get", "endpoints", "-n", ChartRelease.Namespace, "dash-leak-operator-metrics");
        var targets = endpoints.GetProperty("subsets").EnumerateArray().SelectMany(s => s.GetProperty("addresses").EnumerateArray()).Select(a => $"{a.GetProperty("ip").GetString()}:8080").ToList();
        Assert.Equal(2, targets.Count);
        string dir = Directory.CreateTempSubdirectory("leakoperator-node-prometheus-").FullName;
        await File.WriteAllTextAsync(Path.Combine(dir, "targets.json"), JsonSerializer.Serialize(new[] { new { targets } }));
        await File.WriteAllTextAsync(Path.Combine(dir, "prometheus.yml"), $"""
            global:
              scrape_interval: 1s
              evaluation_interval: 1s
            scrape_configs:
              - job_name: leak-operator
                file_sd_configs:
                  - files: ["{dir}/targets.json"]
            """);
        await using var prometheus = NodeShell.Start("/usr/bin/prometheus", $"--config.file={dir}/prometheus.yml", $"--storage.tsdb.path={dir}/data", "--web.listen-address=127.0.0.1:9090");
        var api = new PrometheusApi(async path => await NodeShell.GetAsync($"http://127.0.0.1:9090/{path}") ?? "{}");
        await Eventually.True(async () => await NodeShell.GetAsync("http://127.0.0.1:9090/-/ready") is not null, () => $"Prometheus is ready: {prometheus.Stderr}", TimeSpan.FromSeconds(60));

        await Eventually.True(
            async () => await api.CountAsync("up{job=\"leak-operator\"} == 1") == 2 && await api.CountAsync($"count_over_time(leakoperator_leaked_units{{name=\"loops-leaky\"}}[1m]) >= 20") == 1,
            "Prometheus scrapes both pods and has 20 s of the leader's samples",
            TimeSpan.FromSeconds(90),
            TimeSpan.FromSeconds(1));

        foreach (var (panel, expr) in DashboardQueries.Panels(ns))
        {
            Assert.True(await api.CountAsync(expr) > 0, $"panel '{panel}' query returned no data: {expr}");
        }

        foreach (var (variable, selector) in DashboardQueries.Variables(ns))
        {
            Assert.True(await api.CountAsync($"count({selector})") > 0, $"variable {variable} has no values");
        }

        var series = await api.RangeAsync(DashboardQueries.Growth(ns), TimeSpan.FromSeconds(20));
        var leaky = series.Single(s => s.Name == "loops-leaky").Values;
        var safe = series.Single(s => s.Name == "loops-safe").Values;
        Assert.True(leaky[^1] - leaky[0] >= 100, $"leaky rose only from {leaky[0]} to {leaky[^1]}");
        Assert.True(safe.Max() - safe.Min() <= 1, $"safe moved between {safe.Min()} and {safe.Max()}");
        await NodeShell.KubectlAsync("delete", "namespace", ns, "--timeout=60s");
    }
}
