namespace LeakOperator.Lab.Html;

/// <summary>The report's one stylesheet, inline so the page is a single file that opens anywhere.</summary>
internal static class LabHtmlStyle
{
    // Leaky red, safe green, the process blue: the same colours as the Grafana dashboard's series.
    public const string Css = """
        body{font-family:system-ui,-apple-system,"DejaVu Sans",sans-serif;margin:2rem auto;color:#1f2328;max-width:62rem;padding:0 1rem}
        h1{font-size:1.6rem;margin-bottom:.2rem}h2{font-size:1.2rem;margin:1.6rem 0 .4rem}h2 small{color:#59636e;font-weight:normal}
        .meta{color:#59636e;margin-top:0}.note{background:#fff8c5;border:1px solid #d4a72c;padding:.4rem .7rem}
        table{border-collapse:collapse;margin:.6rem 0;font-size:.92rem}td,th{border:1px solid #d1d9e0;padding:.25rem .55rem;text-align:right}
        th{background:#f6f8fa;text-align:left}td:first-child,td:nth-child(2){white-space:nowrap}td:first-child,td:nth-child(2),td:nth-child(3),td.evidence,td.judged{text-align:left}
        td.evidence,td.judged{color:#59636e;font-size:.85rem}
        .Leaking{color:#b30000;font-weight:bold}.Stable{color:#1a7f37;font-weight:bold}
        .leaky-text{color:#d62728}.safe-text{color:#2ca02c}
        .notes li{color:#7d4e00}
        .legend{list-style:none;padding:0;margin:.2rem 0 .4rem;display:flex;gap:1.6rem;flex-wrap:wrap;font-size:.92rem}
        .swatch{display:inline-block;width:1.6rem;height:.3rem;vertical-align:middle;margin-right:.4rem;border-radius:2px}
        .swatch.leaky{background:#d62728}.swatch.safe{background:#2ca02c}
        .grid2{display:grid;grid-template-columns:repeat(auto-fill,minmax(460px,1fr));gap:.6rem}
        figure{margin:0}figcaption{font-size:.92rem;font-weight:600;margin-bottom:.2rem}
        svg.chart{background:#fff;display:block}
        svg .plot{fill:#fbfcfd;stroke:none}svg .grid{stroke:#e3e8ee;stroke-width:1}svg .axis{stroke:#59636e;stroke-width:1}
        svg text{font-size:11px;fill:#424a53}svg .axis-label{font-size:12px;fill:#1f2328}
        svg .line{fill:none;stroke-width:2.5;stroke-linejoin:round}
        svg .line.leaky{stroke:#d62728}svg .line.safe{stroke:#2ca02c}svg .line.right{stroke-dasharray:7 3}svg .line.process{stroke:#1f77b4}
        svg .mark.baseline{stroke:#8c959f;stroke-width:1.5;stroke-dasharray:5 4}
        svg .point.after-release{fill:#8250df;stroke:#fff;stroke-width:1.5}
        """;
}
