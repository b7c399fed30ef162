using LeakOperator.CommandLine;
using LeakOperator.Hosting;
using LeakOperator.Lab.Html;
using LeakOperator.Leaks.Injections;
using LeakOperator.Leaks.Tasks.Patterns;
using Spectre.Console;

namespace LeakOperator.Lab;

/// <summary>`LeakOperator lab`: the race of leaky against safe, with /metrics served while it runs.</summary>
internal static class LabCommand
{
    public static async Task<int> RunAsync(LabOptions options, CancellationToken cancellationToken)
    {
        LabDefaultMetrics.WithoutTimerOwningAdapters();
        var inventory = new InjectionInventory();
        var factory = new InjectionFactory(new LeakBudget(new LeakBudgetLimits()));
        var builder = ObservabilityEndpoints.CreateBuilder($"http://127.0.0.1:{options.Port}");
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.Services.AddSingleton<IHostLifetime, SignalFreeLifetime>();
        await using var web = builder.Build();
        ObservabilityEndpoints.Map(web, inventory, () => (true, "lab running"), debugTimers: true);
        if (await WebStart.StartAsync(web, cancellationToken).ConfigureAwait(false) is { } bindProblem)
        {
            await Console.Error.WriteLineAsync($"LeakOperator lab: cannot serve /metrics: {bindProblem} Choose another --port, or 0 for a free one.").ConfigureAwait(false);
            return ExitCodes.BadUsage;
        }

        var console = AnsiConsole.Console;
        if (!console.Profile.Capabilities.Interactive)
        {
            // Redirected output (CI logs, files) has no terminal width; the default 80 columns would wrap the tables.
            console.Profile.Width = 140;
        }

        string racing = options.Scenario is { } scenario
            ? $"task scenario {scenario.ToWire()} ({scenario.UnitName()})"
            : string.Join(", ", options.Leaks.Select(Leaks.LeakNames.ToWire));
        // Two short lines rather than one that wraps: the race, then how long and where to watch it.
        console.MarkupLine($"[bold]LeakOperator lab[/]: {Markup.Escape(racing)}");
        console.MarkupLine($"Leaky and safe side by side for {options.Duration.TotalSeconds:0} s. Metrics: {Markup.Escape(ObservabilityEndpoints.ListeningAddress(web))}/metrics");
        var view = new LabConsoleView(console, options);
        var runner = new LabRunner(factory, inventory, TimeProvider.System, new Uri(ObservabilityEndpoints.ListeningAddress(web)).Port);
        var report = await view.ShowWhileRunningAsync(onSample => runner.RunAsync(options, onSample, cancellationToken)).ConfigureAwait(false);
        report = report with { Subject = racing, StoppedBy = cancellationToken.IsCancellationRequested ? ShutdownSignals.Received?.ToString() : null };
        view.ShowSummary(report);

        if (options.JsonPath is not null)
        {
            await LabJson.WriteAsync(report, options.JsonPath).ConfigureAwait(false);
            console.MarkupLine($"JSON report: {Markup.Escape(options.JsonPath)}");
        }

        if (options.HtmlPath is not null)
        {
            await LabHtml.WriteAsync(report, options.HtmlPath).ConfigureAwait(false);
            console.MarkupLine($"HTML report: {Markup.Escape(options.HtmlPath)}");
        }

        await web.StopAsync(CancellationToken.None).ConfigureAwait(false);
        return ExitCodeFor(report);
    }

    /// <summary>0, or 3 when the process was not back to its baseline after release; a signal's 130/143 wins, since the
    /// run was cut short (its baseline verdict is still in the summary and the reports).</summary>
    public static int ExitCodeFor(LabReport report) =>
        report.StoppedBy is not null ? ShutdownSignals.ExitCode
        : report.AfterReleaseCheck.BackToBaseline ? ExitCodes.Ok
        : ExitCodes.NotBackToBaseline;
}
