using System.Globalization;
using System.Net;
using System.Text;

namespace LeakOperator.Lab.Html;

/// <summary>One line of a chart: its points, its CSS class (the colour) and whether it is read on the right axis.</summary>
internal sealed record ChartSeries(string CssClass, IReadOnlyList<(double X, double Y)> Points, bool OnRightAxis = false);

/// <summary>A horizontal reference line (a baseline) or a marked point (the reading after release).</summary>
internal sealed record ChartMark(string CssClass, double Y, (double X, double Y)? Point = null, string? Label = null);

/// <summary>What a chart shows and how its axes are labelled.</summary>
internal sealed record ChartSpec(string XLabel, string YLabel, IReadOnlyList<ChartSeries> Series)
{
    /// <summary>The right axis's label; set when a series is <see cref="ChartSeries.OnRightAxis"/>.</summary>
    public string? RightLabel { get; init; }

    public IReadOnlyList<ChartMark> Marks { get; init; } = [];

    public int Width { get; init; } = 720;

    public int Height { get; init; } = 280;
}

/// <summary>
/// A plain SVG line chart: both axes labelled with their unit, ticks at round numbers from 0 to the axis's end,
/// gridlines, and an optional right axis so that a line of 1 beside a line of 600 is still a line, not the floor.
/// The plot area is a <c>rect class="plot"</c>, which the screenshot test finds.
/// </summary>
internal static class SvgLineChart
{
    private const int Left = 64;
    private const int Top = 14;
    private const int Bottom = 46;
    private const int TickCount = 5;

    public static string Render(ChartSpec spec)
    {
        int right = spec.RightLabel is null ? 18 : 64;
        double plotWidth = spec.Width - Left - right;
        double plotHeight = spec.Height - Top - Bottom;
        var allX = spec.Series.SelectMany(s => s.Points).Select(p => p.X).Concat(spec.Marks.Where(m => m.Point is not null).Select(m => m.Point!.Value.X));
        var x = Axis.EndingAt(allX);
        var y = Axis.Spanning(spec.Series.Where(s => !s.OnRightAxis).SelectMany(s => s.Points).Select(p => p.Y).Concat(spec.Marks.Select(m => m.Y)));
        var y2 = Axis.Spanning(spec.Series.Where(s => s.OnRightAxis).SelectMany(s => s.Points).Select(p => p.Y));

        double Px(double value) => Left + (value / x.End * plotWidth);
        double Py(Axis axis, double value) => Top + plotHeight - (value / axis.End * plotHeight);

        var svg = new StringBuilder();
        Append(svg, $"<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"chart\" width=\"{spec.Width}\" height=\"{spec.Height}\"");
        Append(svg, $" viewBox=\"0 0 {spec.Width} {spec.Height}\" role=\"img\" aria-label=\"{Encode(spec.YLabel)} over {Encode(spec.XLabel)}\">");
        Append(svg, $"<rect class=\"plot\" x=\"{Left}\" y=\"{Top}\" width=\"{plotWidth:0.#}\" height=\"{plotHeight:0.#}\"/>");
        foreach (double tick in x.Ticks)
        {
            double px = Px(tick);
            Append(svg, $"<line class=\"grid\" x1=\"{px:0.#}\" y1=\"{Top}\" x2=\"{px:0.#}\" y2=\"{Top + plotHeight:0.#}\"/>");
            Append(svg, $"<text class=\"tick\" x=\"{px:0.#}\" y=\"{Top + plotHeight + 15:0.#}\" text-anchor=\"middle\">{Number(tick)}</text>");
        }

        foreach (double tick in y.Ticks)
        {
            double py = Py(y, tick);
            Append(svg, $"<line class=\"grid\" x1=\"{Left}\" y1=\"{py:0.#}\" x2=\"{Left + plotWidth:0.#}\" y2=\"{py:0.#}\"/>");
            Append(svg, $"<text class=\"tick\" x=\"{Left - 6}\" y=\"{py + 4:0.#}\" text-anchor=\"end\">{Number(tick)}</text>");
        }

        if (spec.RightLabel is not null)
        {
            foreach (double tick in y2.Ticks)
            {
                Append(svg, $"<text class=\"tick right\" x=\"{Left + plotWidth + 6:0.#}\" y=\"{Py(y2, tick) + 4:0.#}\">{Number(tick)}</text>");
            }

            Append(svg, $"<text class=\"axis-label right\" transform=\"translate({spec.Width - 10},{Top + (plotHeight / 2):0.#}) rotate(90)\" text-anchor=\"middle\">{Encode(spec.RightLabel)}</text>");
        }

        Append(svg, $"<line class=\"axis\" x1=\"{Left}\" y1=\"{Top + plotHeight:0.#}\" x2=\"{Left + plotWidth:0.#}\" y2=\"{Top + plotHeight:0.#}\"/>");
        Append(svg, $"<line class=\"axis\" x1=\"{Left}\" y1=\"{Top}\" x2=\"{Left}\" y2=\"{Top + plotHeight:0.#}\"/>");
        Append(svg, $"<text class=\"axis-label\" x=\"{Left + (plotWidth / 2):0.#}\" y=\"{spec.Height - 8}\" text-anchor=\"middle\">{Encode(spec.XLabel)}</text>");
        Append(svg, $"<text class=\"axis-label\" transform=\"translate(14,{Top + (plotHeight / 2):0.#}) rotate(-90)\" text-anchor=\"middle\">{Encode(spec.YLabel)}</text>");

        foreach (var mark in spec.Marks)
        {
            double py = Py(y, mark.Y);
            Append(svg, $"<line class=\"mark {Encode(mark.CssClass)}\" x1=\"{Left}\" y1=\"{py:0.#}\" x2=\"{Left + plotWidth:0.#}\" y2=\"{py:0.#}\"/>");
        }

        foreach (var series in spec.Series)
        {
            var axis = series.OnRightAxis ? y2 : y;
            string points = string.Join(' ', series.Points.Select(p => string.Create(CultureInfo.InvariantCulture, $"{Px(p.X):0.#},{Py(axis, p.Y):0.#}")));
            Append(svg, $"<polyline class=\"line {Encode(series.CssClass)}{(series.OnRightAxis ? " right" : "")}\" points=\"{points}\"/>");
        }

        foreach (var mark in spec.Marks.Where(m => m.Point is not null))
        {
            var (px, py) = (Px(mark.Point!.Value.X), Py(y, mark.Point.Value.Y));
            Append(svg, $"<circle class=\"point {Encode(mark.CssClass)}\" cx=\"{px:0.#}\" cy=\"{py:0.#}\" r=\"5\"/>");
            if (mark.Label is not null)
            {
                // Above the dot, unless that would leave the chart: then below it.
                double labelY = py - 9 < Top + 10 ? py + 18 : py - 9;
                Append(svg, $"<text class=\"tick\" x=\"{px - 8:0.#}\" y=\"{labelY:0.#}\" text-anchor=\"end\">{Encode(mark.Label)}</text>");
            }
        }

        svg.Append("</svg>");
        return svg.ToString();
    }

    private static void Append(StringBuilder svg, FormattableString text) => svg.Append(text.ToString(CultureInfo.InvariantCulture));

    private static string Number(double value) => value.ToString(Math.Abs(value) >= 100 || value == Math.Floor(value) ? "#,0" : "0.##", CultureInfo.InvariantCulture);

    private static string Encode(string text) => WebUtility.HtmlEncode(text);

    /// <summary>An axis from 0 to a round end at or above the data, with round ticks (1, 2 or 5 × 10^k apart).</summary>
    private sealed record Axis(double End, IReadOnlyList<double> Ticks)
    {
        public static Axis Spanning(IEnumerable<double> values)
        {
            double max = values.DefaultIfEmpty(0).Max();
            double step = NiceStep(Math.Max(max, 1) / (TickCount - 1));
            int count = Math.Max(1, (int)Math.Ceiling((max / step) - 1e-9));
            return new Axis(count * step, [.. Enumerable.Range(0, count + 1).Select(i => i * step)]);
        }

        /// <summary>Time runs to the data's end, labelled exactly (15.1 s, not 20): round ticks before it, none crowding it.</summary>
        public static Axis EndingAt(IEnumerable<double> values)
        {
            double max = Math.Max(values.DefaultIfEmpty(0).Max(), 1);
            double step = NiceStep(max / (TickCount - 1));
            var ticks = Enumerable.Range(0, (int)Math.Ceiling(max / step) + 1).Select(i => i * step).Where(t => t < max - (0.4 * step)).ToList();
            ticks.Add(Math.Round(max, 1));
            return new Axis(max, ticks);
        }

        private static double NiceStep(double rough)
        {
            double magnitude = Math.Pow(10, Math.Floor(Math.Log10(rough)));
            double fraction = rough / magnitude;
            return magnitude * (fraction <= 1 ? 1 : fraction <= 2 ? 2 : fraction <= 5 ? 5 : 10);
        }
    }
}
