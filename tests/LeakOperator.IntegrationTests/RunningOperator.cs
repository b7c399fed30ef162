using System.Globalization;
using System.Text.RegularExpressions;
using LeakOperator.IntegrationTests.ControlPlane;
using LeakOperator.TestSupport;

namespace LeakOperator.IntegrationTests;

/// <summary>`LeakOperator run` as its own process, as the operator user (least-privilege RBAC), on a free port.</summary>
public sealed partial class RunningOperator : IAsyncDisposable
{
    private readonly HttpClient _http = new() { Timeout = TimeSpan.FromSeconds(10) };

    private RunningOperator(OperatorProcess process, string identity)
    {
        Process = process;
        Identity = identity;
    }

    public OperatorProcess Process { get; }

    public string Identity { get; }

    public Uri MetricsUrl { get; private set; } = null!;

    public static async Task<RunningOperator> StartAsync(ControlPlaneFixture fixture, string identity, params string[] extraArgs)
    {
        var process = OperatorProcess.Start(
            new Dictionary<string, string> { ["ASPNETCORE_URLS"] = "http://127.0.0.1:0" },
            ["run", "--kubeconfig", fixture.Plane.OperatorKubeconfig, "--leader-election-namespace", ControlPlaneFixture.OperatorNamespace, "--identity", identity, .. extraArgs]);
        var running = new RunningOperator(process, identity);
        running.MetricsUrl = new Uri(await process.WaitForOutput(ServingLine(), TimeSpan.FromSeconds(60)));
        return running;
    }

    public Task<string> ScrapeAsync() => _http.GetStringAsync(MetricsUrl);

    /// <summary>Waits until /readyz says 200: watching, caches synced (or, after a fault, the watch back).</summary>
    public Task WaitUntilReadyAsync(string what = "the operator is ready", TimeSpan? deadline = null) =>
        Eventually.True(async () => (await GetAsync("/readyz")).Status == 200, what, deadline ?? TimeSpan.FromSeconds(60));

    public async Task<(int Status, string Body)> GetAsync(string path)
    {
        using var response = await _http.GetAsync(new Uri(MetricsUrl, path));
        return ((int)response.StatusCode, await response.Content.ReadAsStringAsync());
    }

    /// <summary>The value of one series in a scrape, or null when the series is absent.</summary>
    public static double? Value(string scrape, string series) => new Scrape(scrape).Value(series);

    public static string LeakedUnitsSeries(string leakType, string mode, string ns, string name) =>
        $"leakoperator_leaked_units{{leak_type=\"{leakType}\",mode=\"{mode}\",namespace=\"{ns}\",name=\"{name}\"}}";

    public async ValueTask DisposeAsync()
    {
        _http.Dispose();
        await Process.DisposeAsync();
    }

    [GeneratedRegex(@"serving (http://127\.0\.0\.1:\d+/metrics)")]
    internal static partial Regex ServingLine();
}
