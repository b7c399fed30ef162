using LeakOperator.Diagnostics;
using LeakOperator.Instrumentation;
using LeakOperator.Leaks.Injections;
using Prometheus;

namespace LeakOperator.Hosting;

/// <summary>The HTTP side every mode of the host serves: /metrics, /healthz, /readyz.</summary>
internal static class ObservabilityEndpoints
{
    /// <summary>
    /// Maps the endpoints (and /debug/leaks, the live inventory) and publishes the inventory on prometheus-net's default registry (which also carries the
    /// default .NET and process metrics). Call once per process. /healthz says the process serves requests;
    /// <paramref name="readiness"/> answers /readyz with a reason either way.
    /// </summary>
    /// <param name="debugTimers">Also serve /debug/timers (the timer dump): always in the lab, opt-in for the operator.</param>
    public static void Map(WebApplication app, InjectionInventory inventory, Func<(bool Ready, string Detail)> readiness, bool debugTimers = false)
    {
        _ = new LeakMetrics(Metrics.DefaultRegistry, inventory);
        app.MapMetrics("/metrics");
        app.MapGet("/healthz", () => Results.Text("ok"));
        app.MapGet("/debug/leaks", () => Results.Json(LeakReport.Build(inventory, TimeProvider.System), EndpointJson.Default.LeakReportBody));
        if (debugTimers)
        {
            // Text like goroutine?debug=1 (biggest group first), or ?format=json.
            app.MapGet("/debug/timers", (HttpRequest request) => request.Query["format"] == "json"
                ? Results.Json(TimerDump.Take(), EndpointJson.Default.TimerDumpResult)
                : Results.Text(TimerDump.Format(TimerDump.Take())));
        }

        app.MapGet("/readyz", () =>
        {
            var (ready, detail) = readiness();
            return Results.Text(detail, statusCode: ready ? StatusCodes.Status200OK : StatusCodes.Status503ServiceUnavailable);
        });
    }

    /// <summary>A slim web host on <paramref name="urls"/> (or where ASPNETCORE_URLS says when null).</summary>
    public static WebApplicationBuilder CreateBuilder(string? urls)
    {
        var builder = WebApplication.CreateSlimBuilder();
        if (urls is not null)
        {
            builder.WebHost.UseUrls(urls);
        }

        builder.Logging.AddFilter("Microsoft.AspNetCore", LogLevel.Warning);
        builder.Logging.AddFilter("Microsoft.Hosting", LogLevel.Warning);
        WebStart.Prepare(builder);
        return builder;
    }

    /// <summary>The first address the started host listens on (resolves port 0 to the real port).</summary>
    public static string ListeningAddress(WebApplication app) => app.Urls.FirstOrDefault() ?? "(unknown)";
}
