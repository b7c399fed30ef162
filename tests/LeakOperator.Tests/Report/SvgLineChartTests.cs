using System.Text.RegularExpressions;
using LeakOperator.Lab.Html;

namespace LeakOperator.Tests.Report;

/// <summary>The report's charts: axes that say what they measure, from 0 to the end, and a safe line that is visible.</summary>
public sealed partial class SvgLineChartTests
{
    [Fact]
    public void Time_is_ticked_from_0_to_its_exact_end_and_values_from_0_to_a_round_top()
    {
        var svg = SvgLineChart.Render(new ChartSpec("seconds", "MiB retained", [new ChartSeries("leaky", [(0, 0), (7.5, 30), (15.1, 61)])]));

        var ticks = Ticks().Matches(svg).Select(m => m.Groups[1].Value).ToList();
        Assert.Equal(["0", "5", "10", "15.1", "0", "20", "40", "60", "80"], ticks);
        Assert.Contains(">seconds</text>", svg, StringComparison.Ordinal);
        Assert.Contains(">MiB retained</text>", svg, StringComparison.Ordinal);
        Assert.DoesNotContain("right", svg, StringComparison.Ordinal);
    }

    [Fact]
    public void A_series_on_the_right_axis_gets_its_own_scale_and_label()
    {
        var svg = SvgLineChart.Render(new ChartSpec("seconds", "leaky, loops", [
            new ChartSeries("leaky", [(0, 0), (30, 600)]),
            new ChartSeries("safe", [(0, 0), (1, 1), (30, 1)], OnRightAxis: true),
        ])
        { RightLabel = "safe, loops" });

        Assert.Contains(">safe, loops</text>", svg, StringComparison.Ordinal);
        Assert.Equal(["0", "0.5", "1"], [.. RightTicks().Matches(svg).Select(m => m.Groups[1].Value)]);
        // On its own axis the safe line's 1 is drawn at the plot's top (y = 14), not a pixel above the floor.
        Assert.Matches(@"class=""line safe right"" points=""[\d.]+,\d+(\.\d)? [\d.]+,14 ", svg);
    }

    [GeneratedRegex(@"<text class=""tick"" [^>]*>([^<]+)</text>")]
    private static partial Regex Ticks();

    [GeneratedRegex(@"<text class=""tick right"" [^>]*>([^<]+)</text>")]
    private static partial Regex RightTicks();
}
