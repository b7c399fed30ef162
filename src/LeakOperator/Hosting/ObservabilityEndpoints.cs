using LeakOperator.Leaks.Injection;
using LeakOperator.Metrics;
using Prometheus;

namespace LeakOperator.Hosting;

/// <summary>The HTTP side every mode of the host serves: /metrics, /healthz, /readyz.</summary>
internal static class ObservabilityEndpoints
{
    /// <summary>
    /// Builds the web host on <paramref name="urls"/> with the endpoints mapped. <paramref name="isReady"/> answers
    /// /readyz; /healthz only says the process serves requests.
    /// </summary>
    public static WebApplication Build(string urls, InjectionInventory inventory, Func<bool> isReady)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls(urls);
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        var app = builder.Build();

        // One per process: the host builds this once, on prometheus-net's default registry (which also carries
        // the default .NET and process metrics).
        _ = new LeakMetrics(Prometheus.Metrics.DefaultRegistry, inventory);
        app.MapMetrics("/metrics");
        app.MapGet("/healthz", () => Results.Text("ok"));
        app.MapGet("/readyz", () => isReady() ? Results.Text("ready") : Results.Text("not ready", statusCode: StatusCodes.Status503ServiceUnavailable));
        return app;
    }

    /// <summary>The first address the started host listens on (resolves port 0 to the real port).</summary>
    public static string ListeningAddress(WebApplication app) => app.Urls.FirstOrDefault() ?? "(unknown)";
}
