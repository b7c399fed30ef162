using System.Globalization;
using System.Net;
using System.Text;
using LeakOperator.Leaks.Analysis;

namespace LeakOperator.Lab;

/// <summary>A self-contained HTML report: one SVG chart per leak type, leaky against safe, and the summary table.</summary>
internal static class LabHtml
{
    private const int Width = 640;
    private const int Height = 260;
    private const int Margin = 44;

    public static Task WriteAsync(LabReport report, string path) => File.WriteAllTextAsync(path, Render(report));

    public static string Render(LabReport report)
    {
        var html = new StringBuilder();
        html.Append("""
            <!DOCTYPE html>
            <html lang="en"><head><meta charset="utf-8"><title>LeakOperator lab report</title>
            <style>
            body{font-family:system-ui,sans-serif;margin:2rem;color:#222;max-width:60rem}
            table{border-collapse:collapse;margin:1rem 0}td,th{border:1px solid #ccc;padding:.3rem .6rem;text-align:right}
            th{background:#f4f4f4}td:first-child,td:nth-child(2){text-align:left}
            .Leaking{color:#b30000;font-weight:bold}.Stable{color:#1a7f37;font-weight:bold}
            svg{border:1px solid #ddd;background:#fff}.leaky{stroke:#d62728}.safe{stroke:#2ca02c}
            </style></head><body>
            <h1>LeakOperator lab: leaky against safe</h1>
            """);
        html.Append(CultureInfo.InvariantCulture, $"<p>{Encode(report.Runtime)}, {report.Processors} processors, {report.DurationSeconds:0.#} s, started {report.StartedAt:u}. Units are sampled after a forced full GC.</p>");
        html.Append("<table><tr><th>Leak</th><th>Mode</th><th>Start</th><th>End</th><th>Units/min</th><th>Verdict</th><th>Unit</th></tr>");
        foreach (var s in report.Scenarios)
        {
            html.Append(CultureInfo.InvariantCulture, $"<tr><td>{Encode(s.LeakType)}</td><td>{Encode(s.Mode)}</td><td>{s.StartUnits:0.#}</td><td>{s.EndUnits:0.#}</td><td>{s.UnitsPerMinute:0.#}</td><td class=\"{s.Verdict}\">{s.Verdict}</td><td>{Encode(s.Unit)}</td></tr>");
        }

        html.Append("</table>");
        foreach (var pair in report.Scenarios.GroupBy(s => s.LeakType))
        {
            html.Append(CultureInfo.InvariantCulture, $"<h2>{Encode(pair.Key)} <small>({Encode(pair.First().Unit)})</small></h2>");
            html.Append(Chart([.. pair]));
        }

        html.Append(CultureInfo.InvariantCulture, $"<p>Process after release and a full GC: {report.AfterRelease.ActiveTimers} timers (baseline {report.Baseline.ActiveTimers}), {report.AfterRelease.OpenSockets} sockets (baseline {report.Baseline.OpenSockets}), GC heap {report.AfterRelease.GcHeapBytes / 1048576.0:0.0} MiB (baseline {report.Baseline.GcHeapBytes / 1048576.0:0.0} MiB).</p>");
        html.Append("</body></html>\n");
        return html.ToString();
    }

    private static string Chart(IReadOnlyList<LabScenarioResult> scenarios)
    {
        double maxT = Math.Max(1, scenarios.SelectMany(s => s.Samples).Select(p => p.Seconds).DefaultIfEmpty(1).Max());
        double maxU = Math.Max(1, scenarios.SelectMany(s => s.Samples).Select(p => p.Units).DefaultIfEmpty(1).Max());
        var svg = new StringBuilder();
        svg.Append(CultureInfo.InvariantCulture, $"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{Width}\" height=\"{Height}\" role=\"img\">");
        svg.Append(CultureInfo.InvariantCulture, $"<line x1=\"{Margin}\" y1=\"{Height - Margin}\" x2=\"{Width - 10}\" y2=\"{Height - Margin}\" stroke=\"#888\"/>");
        svg.Append(CultureInfo.InvariantCulture, $"<line x1=\"{Margin}\" y1=\"10\" x2=\"{Margin}\" y2=\"{Height - Margin}\" stroke=\"#888\"/>");
        svg.Append(CultureInfo.InvariantCulture, $"<text x=\"4\" y=\"18\" font-size=\"11\">{maxU:0.#}</text><text x=\"4\" y=\"{Height - Margin}\" font-size=\"11\">0</text>");
        svg.Append(CultureInfo.InvariantCulture, $"<text x=\"{Width - 60}\" y=\"{Height - Margin + 16}\" font-size=\"11\">{maxT:0} s</text>");
        int legendY = 20;
        foreach (var scenario in scenarios)
        {
            var points = string.Join(' ', scenario.Samples.Select(p => Point(p, maxT, maxU)));
            svg.Append(CultureInfo.InvariantCulture, $"<polyline class=\"{Encode(scenario.Mode)}\" fill=\"none\" stroke-width=\"2\" points=\"{points}\"/>");
            svg.Append(CultureInfo.InvariantCulture, $"<text x=\"{Margin + 10}\" y=\"{legendY}\" font-size=\"12\" class=\"{Encode(scenario.Mode)}\" fill=\"currentColor\">{Encode(scenario.Mode)}: {scenario.UnitsPerMinute:0.#}/min, {scenario.Verdict}</text>");
            legendY += 16;
        }

        svg.Append("</svg>");
        return svg.ToString();
    }

    private static string Point(UnitSample sample, double maxT, double maxU)
    {
        double x = Margin + (sample.Seconds / maxT * (Width - Margin - 10));
        double y = Height - Margin - (sample.Units / maxU * (Height - Margin - 10));
        return string.Create(CultureInfo.InvariantCulture, $"{x:0.#},{y:0.#}");
    }

    private static string Encode(string text) => WebUtility.HtmlEncode(text);
}
