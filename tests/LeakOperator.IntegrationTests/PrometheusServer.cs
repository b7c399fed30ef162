using System.Diagnostics;
using LeakOperator.TestSupport;

namespace LeakOperator.IntegrationTests;

/// <summary>Debian's Prometheus on a free loopback port, scraping one target and evaluating rules every second.</summary>
public sealed class PrometheusServer : IAsyncDisposable
{
    private const string Binary = "/usr/bin/prometheus";

    private readonly Process _process;
    private readonly string _dir;
    private readonly HttpClient _http;

    private PrometheusServer(Process process, string dir, Uri api)
    {
        _process = process;
        _dir = dir;
        _http = new HttpClient { BaseAddress = api, Timeout = TimeSpan.FromSeconds(10) };
    }

    /// <summary>Starts it scraping <paramref name="target"/>, with <paramref name="rules"/> (a rule file's text) loaded when given.</summary>
    public static async Task<PrometheusServer> StartAsync(Uri target, string? rules = null)
    {
        Assert.True(File.Exists(Binary), "Debian's prometheus package is needed (.ci/run installs it)");
        string dir = Directory.CreateTempSubdirectory("leakoperator-prometheus-").FullName;
        int port = Ports.Free();
        if (rules is not null)
        {
            File.WriteAllText(Path.Combine(dir, "rules.yaml"), rules);
        }

        File.WriteAllText(Path.Combine(dir, "prometheus.yml"), $"""
            global:
              scrape_interval: 1s
              evaluation_interval: 1s
            {(rules is null ? "" : "rule_files: [rules.yaml]")}
            scrape_configs:
              - job_name: leak-operator
                metrics_path: {target.AbsolutePath}
                static_configs:
                  - targets: ["{target.Authority}"]
            """);
        var start = new ProcessStartInfo(Binary, [
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
        var prometheus = new PrometheusServer(process, dir, new Uri($"http://127.0.0.1:{port}/"));
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
