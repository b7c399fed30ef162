using System.Globalization;
using System.Net;
using System.Text;
using LeakOperator.Leaks.Analysis;
using LeakOperator.Leaks.Readings;

namespace LeakOperator.Lab.Html;

/// <summary>
/// The self-contained HTML report (no script, no CDN): the verdicts with their evidence and caps, one chart per leak
/// type (leaky against safe), the process timeline the write-up's detection table watches, and the after-release
/// verdict.
/// </summary>
internal static class LabHtml
{
    private const string Seconds = "seconds since the start";

    /// <summary>Below this share of the leaky line's top, the safe line is drawn on its own right axis.</summary>
    private const double RightAxisBelow = 0.1;

    public static Task WriteAsync(LabReport report, string path) => File.WriteAllTextAsync(path, Render(report));

    public static string Render(LabReport report)
    {
        var html = new StringBuilder();
        string title = $"LeakOperator lab: {report.Subject}";
        html.Append(CultureInfo.InvariantCulture, $"""
            <!DOCTYPE html>
            <html lang="en"><head><meta charset="utf-8"><title>{Encode(title)}</title>
            <style>{LabHtmlStyle.Css}</style></head><body>
            <h1>{Encode(title)}</h1>
            """);
        html.Append(
            CultureInfo.InvariantCulture,
            $"<p class=\"meta\">Leaky and safe side by side for {report.DurationSeconds:0.#} s · {Encode(report.Runtime)} · "
            + $"{report.Processors} processors · started {report.StartedAt:u}. Units are sampled after a forced full GC.</p>");
        if (report.StoppedBy is { } signal)
        {
            html.Append(CultureInfo.InvariantCulture, $"<p class=\"note\">Stopped early by {Encode(signal)}: everything was released, and the report covers what was sampled.</p>");
        }

        AppendVerdicts(html, report);
        foreach (var leak in report.Subjects.GroupBy(s => s.LeakType))
        {
            AppendLeakChart(html, [.. leak]);
        }

        AppendTimeline(html, report);
        AppendAfterRelease(html, report);
        html.Append("</body></html>\n");
        return html.ToString();
    }

    private static void AppendVerdicts(StringBuilder html, LabReport report)
    {
        html.Append("<table class=\"verdicts\"><tr><th>Leak</th><th>Mode</th><th>Pattern</th><th>Start</th><th>End</th><th>Growth/min</th><th>Verdict</th><th>Unit</th><th>Evidence</th></tr>");
        foreach (var s in report.Subjects)
        {
            string evidence = string.Join(" ", s.Evidence.Select(e => $"{e.Key}={Number(e.Value)}"));
            html.Append(
                CultureInfo.InvariantCulture,
                $"<tr><td>{Encode(s.LeakType)}</td><td class=\"{Encode(s.Mode)}-text\">{Encode(s.Mode)}</td><td>{Encode(s.Pattern)}</td>"
                + $"<td>{Number(s.StartUnits)}</td><td>{Number(s.EndUnits)}</td><td>{Number(s.UnitsPerMinute)}</td>"
                + $"<td class=\"{s.Verdict}\">{s.Verdict}</td><td>{Encode(s.Unit)}</td><td class=\"evidence\">{Encode(evidence)}</td></tr>");
        }

        html.Append("</table>");
        var capped = report.Subjects.Where(s => s.CapReason is not null).ToList();
        if (capped.Count > 0)
        {
            html.Append("<ul class=\"notes\">");
            foreach (var s in capped)
            {
                html.Append(
                    CultureInfo.InvariantCulture,
                    $"<li>{Encode(s.LeakType)} {Encode(s.Mode)}: cap engaged ({Encode(s.CapReason!)}); "
                    + $"{s.InjectedUnits} units injected, the cap is {s.MaxUnits}.</li>");
            }

            html.Append("</ul>");
        }
    }

    private static void AppendLeakChart(StringBuilder html, IReadOnlyList<LabSubjectResult> sides)
    {
        string unit = sides[0].Unit;
        double leakyTop = sides.Where(s => s.Mode == "leaky").SelectMany(s => s.Samples).Select(p => p.Units).DefaultIfEmpty(0).Max();
        bool RightAxis(LabSubjectResult s) =>
            s.Mode != "leaky" && s.Samples.Max(p => p.Units) is var top && top > 0 && top < leakyTop * RightAxisBelow;

        html.Append(CultureInfo.InvariantCulture, $"<section class=\"leak\"><h2>{Encode(sides[0].LeakType)} <small>{Encode(unit)}</small></h2><ul class=\"legend\">");
        foreach (var s in sides)
        {
            string axis = RightAxis(s) ? " (right axis)" : "";
            html.Append(
                CultureInfo.InvariantCulture,
                $"<li><span class=\"swatch {Encode(s.Mode)}\"></span><b>{Encode(s.Mode)}</b>{axis}: "
                + $"{Number(s.StartUnits)} → {Number(s.EndUnits)}, {Number(s.UnitsPerMinute)}/min, "
                + $"<span class=\"{s.Verdict}\">{s.Verdict}</span></li>");
        }

        html.Append("</ul>");
        var series = sides.Select(s => new ChartSeries(s.Mode, [.. s.Samples.Select(p => (p.Seconds, p.Units))], RightAxis(s))).ToList();
        bool split = sides.Any(RightAxis);
        html.Append(SvgLineChart.Render(new ChartSpec(Seconds, split ? $"leaky, {unit}" : unit, series)
        {
            RightLabel = split ? $"safe, {unit}" : null,
        }));
        html.Append("</section>");
    }

    private static void AppendTimeline(StringBuilder html, LabReport report)
    {
        html.Append("<section class=\"timeline\"><h2>The process over the run</h2>");
        html.Append(
            "<p>What the write-up's detection table watches, for the whole process: a sample every interval, "
            + "the dashed line is the baseline before any injection, the dot the reading after release.</p><div class=\"grid2\">");
        AppendProcessChart(html, report, "live timers", "timers", r => r.ActiveTimers);
        AppendProcessChart(html, report, "open sockets (apart from /metrics)", "sockets", r => r.OpenSockets);
        AppendProcessChart(html, report, "GC heap after a full GC", "MiB", r => r.GcHeapBytes / 1048576.0);
        AppendProcessChart(html, report, "working set", "MiB", r => r.WorkingSetBytes / 1048576.0);
        html.Append("</div></section>");
    }

    private static void AppendProcessChart(StringBuilder html, LabReport report, string title, string unit, Func<RuntimeReadings, double> value)
    {
        var line = new ChartSeries("process", [.. report.Timeline.Select(p => (p.Seconds, value(p.Readings)))]);
        var marks = new[]
        {
            new ChartMark("baseline", value(report.Baseline)),
            new ChartMark("after-release", value(report.AfterRelease), (report.DurationSeconds, value(report.AfterRelease)), "after release"),
        };
        html.Append(CultureInfo.InvariantCulture, $"<figure><figcaption>{Encode(title)}</figcaption>");
        html.Append(SvgLineChart.Render(new ChartSpec(Seconds, unit, [line]) { Marks = marks, Width = 460, Height = 230 }));
        html.Append("</figure>");
    }

    private static void AppendAfterRelease(StringBuilder html, LabReport report)
    {
        var check = report.AfterReleaseCheck;
        string verdictClass = check.BackToBaseline ? "Stable" : "Leaking";
        html.Append(
            CultureInfo.InvariantCulture,
            $"<section class=\"after\"><h2>After release and a full GC: <span class=\"{verdictClass}\">"
            + $"{Encode(check.BackToBaseline ? "Back to baseline" : "Not back to baseline")}</span></h2>");
        if (!check.BackToBaseline)
        {
            html.Append("<ul class=\"notes\">");
            foreach (var difference in check.Differences)
            {
                html.Append(CultureInfo.InvariantCulture, $"<li>{Encode(difference)}</li>");
            }

            html.Append("</ul>");
        }

        html.Append("<table><tr><th>Reading</th><th>Baseline</th><th>End of injection</th><th>After release</th><th></th></tr>");
        Row(html, "timers", report, r => r.ActiveTimers, "judged");
        Row(html, "sockets (apart from /metrics)", report, r => r.OpenSockets, "judged");
        Row(html, "sockets serving /metrics", report, r => r.ServingSockets, "the lab's own listener and scrapers: not judged");
        Row(html, "HTTP client connections", report, r => r.HttpClientOpenConnections, "judged");
        Row(html, "GC heap, MiB", report, r => r.GcHeapBytes / 1048576.0, string.Create(CultureInfo.InvariantCulture, $"judged, {BaselineCheck.HeapAllowanceBytes / 1048576} MiB allowance"));
        Row(html, "working set, MiB", report, r => r.WorkingSetBytes / 1048576.0, "not judged: the GC keeps memory committed");
        Row(html, "thread-pool threads", report, r => r.ThreadPoolThreads, "not judged: the pool keeps threads it grew for a while");
        html.Append("</table></section>");
    }

    private static void Row(StringBuilder html, string name, LabReport report, Func<RuntimeReadings, double> value, string judged) =>
        html.Append(
            CultureInfo.InvariantCulture,
            $"<tr><td>{Encode(name)}</td><td>{Number(value(report.Baseline))}</td><td>{Number(value(report.End))}</td>"
            + $"<td>{Number(value(report.AfterRelease))}</td><td class=\"judged\">{Encode(judged)}</td></tr>");

    private static string Number(double value) => value.ToString("0.#", CultureInfo.InvariantCulture);

    private static string Encode(string text) => WebUtility.HtmlEncode(text);
}
