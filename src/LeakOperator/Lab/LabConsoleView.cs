using System.Globalization;
using LeakOperator.Leaks;
using LeakOperator.Leaks.Analysis;
using LeakOperator.Leaks.Readings;
using LeakOperator.Leaks.Tasks.Patterns;
using Spectre.Console;

namespace LeakOperator.Lab;

/// <summary>The lab in a terminal: a live table while it runs (or a line every few seconds when output is not a
/// terminal), then the comparison.</summary>
internal sealed class LabConsoleView(IAnsiConsole console, LabOptions options)
{
    private static readonly TimeSpan s_plainEvery = TimeSpan.FromSeconds(5);
    private TimeSpan? _lastPlain;

    /// <summary>Runs <paramref name="run"/>, showing its samples as they come.</summary>
    public async Task<LabReport> ShowWhileRunningAsync(Func<Action<TimeSpan, IReadOnlyList<LabSubject>, RuntimeReadings>, Task<LabReport>> run)
    {
        if (!console.Profile.Capabilities.Interactive)
        {
            return await run(PrintPlain).ConfigureAwait(false);
        }

        LabReport? report = null;
        await console.Live(new Text("starting…"))
            .AutoClear(false)
            .StartAsync(async live =>
            {
                report = await run((elapsed, subjects, readings) =>
                {
                    live.UpdateTarget(LiveView(elapsed, subjects, readings));
                    live.Refresh();
                }).ConfigureAwait(false);
            }).ConfigureAwait(false);
        return report!;
    }

    public void ShowSummary(LabReport report)
    {
        if (report.StoppedBy is { } signal)
        {
            console.MarkupLine(
                CultureInfo.InvariantCulture,
                $"[yellow]Stopped early by {signal}[/] after {report.DurationSeconds:0.#} s of {options.Duration.TotalSeconds:0} s: "
                + "everything is released, and the comparison covers what was sampled.");
        }

        string title = options.Scenario is { } scenario ? $"Leaky against safe: {scenario.ToWire()}" : "Leaky against safe";
        var table = new Table().Border(TableBorder.Rounded).Title($"[bold]{Markup.Escape(title)}[/]");
        table.AddColumns("Leak", "Mode", "Start", "End", "Growth/min", "Verdict", "Unit", "Evidence");
        foreach (var s in report.Subjects)
        {
            table.AddRow(
                Markup.Escape(s.LeakType),
                Markup.Escape(s.Mode),
                Number(s.StartUnits),
                Number(s.EndUnits),
                Number(s.UnitsPerMinute),
                VerdictMarkup(s.Verdict),
                Markup.Escape(s.Unit),
                Markup.Escape(string.Join(" ", s.Evidence.Select(e => $"{e.Key}={Number(e.Value)}"))));
        }

        console.Write(table);
        var check = report.AfterReleaseCheck;
        string verdict = check.BackToBaseline ? "[green bold]Back to baseline[/]" : $"[red bold]Not back to baseline[/]: {Markup.Escape(check.LeftBehind)}";
        console.MarkupLine($"After release and a full GC: {verdict}");
        var (before, after) = (report.Baseline, report.AfterRelease);
        console.MarkupLine(
            CultureInfo.InvariantCulture,
            $"  timers {after.ActiveTimers} (baseline {before.ActiveTimers})"
            + $" · sockets {after.OpenSockets} (baseline {before.OpenSockets}, +{after.ServingSockets} serving /metrics)"
            + $" · HTTP connections {after.HttpClientOpenConnections} (baseline {before.HttpClientOpenConnections})"
            + $" · GC heap {Mib(after.GcHeapBytes)} (baseline {Mib(before.GcHeapBytes)})");
        foreach (var capped in report.Subjects.Where(s => s.CapReason is not null))
        {
            console.MarkupLine($"[yellow]{Markup.Escape(capped.LeakType)} {Markup.Escape(capped.Mode)}: cap engaged ({Markup.Escape(capped.CapReason!)})[/]");
        }
    }

    private void PrintPlain(TimeSpan elapsed, IReadOnlyList<LabSubject> subjects, RuntimeReadings readings)
    {
        // Always print the runner's last sample.
        if (_lastPlain is { } last && elapsed - last < s_plainEvery && !options.IsLastSample(elapsed))
        {
            return;
        }

        _lastPlain = elapsed;
        var units = string.Join("  ", subjects.Select(s => string.Create(CultureInfo.InvariantCulture, $"{s.Type.ToWire()}/{s.Mode.ToWire()}={s.LatestUnits:0}")));
        // Plain text, not Spectre's: a progress line in a log must not be wrapped or styled.
        Console.Out.WriteLine(string.Create(
            CultureInfo.InvariantCulture,
            $"[{elapsed.TotalSeconds,4:0}s/{options.Duration.TotalSeconds:0}s] {units}  "
            + $"timers={readings.ActiveTimers} sockets={readings.OpenSockets} heap={Mib(readings.GcHeapBytes)}"));
    }

    private Rows LiveView(TimeSpan elapsed, IReadOnlyList<LabSubject> subjects, RuntimeReadings readings)
    {
        double done = Math.Clamp(elapsed / options.Duration, 0, 1);
        var table = new Table().Border(TableBorder.Rounded);
        table.AddColumns("Leak", "Mode", "Units now", "Growth/min", "Trend", "Unit");
        foreach (var s in subjects)
        {
            var (slope, verdict) = s.Judge();
            table.AddRow(
                Markup.Escape(s.Type.ToWire()),
                Markup.Escape(s.Mode.ToWire()),
                Number(s.LatestUnits),
                Number(slope),
                VerdictMarkup(verdict),
                Markup.Escape(s.Injection.Spec.UnitName()));
        }

        var header = new Markup(string.Create(
            CultureInfo.InvariantCulture,
            $"[bold]LeakOperator lab[/]  {elapsed.TotalSeconds:0}/{options.Duration.TotalSeconds:0} s  "
            + $"[grey]{new string('█', (int)(done * 30))}{new string('░', 30 - (int)(done * 30))}[/]"));
        var footer = new Markup(string.Create(
            CultureInfo.InvariantCulture,
            $"[grey]timers {readings.ActiveTimers} · thread-pool threads {readings.ThreadPoolThreads} · sockets {readings.OpenSockets}"
            + $" · HTTP client connections {readings.HttpClientOpenConnections} · GC heap {Mib(readings.GcHeapBytes)}"
            + $" · working set {Mib(readings.WorkingSetBytes)}[/]"));
        return new Rows(header, table, footer);
    }

    private static string VerdictMarkup(Verdict verdict) => verdict == Verdict.Leaking ? "[red bold]Leaking[/]" : "[green bold]Stable[/]";

    private static string Number(double value) => value.ToString("0.#", CultureInfo.InvariantCulture);

    private static string Mib(long bytes) => string.Create(CultureInfo.InvariantCulture, $"{bytes / 1048576.0:0.0} MiB");
}
