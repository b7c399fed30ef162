using System.Text.RegularExpressions;
using LeakOperator.TestSupport;

namespace LeakOperator.Tests.Report;

/// <summary>
/// The HTML report as a reader sees it: a real lab run's report, rendered by headless Chromium. Every chart's plot area
/// has its lines drawn (leaky red and safe green in each leak chart, the process line in each timeline chart) and the
/// page logs nothing to its console.
/// </summary>
public sealed partial class LabReportScreenshotTests
{
    private static readonly (byte, byte, byte) s_plotFill = (0xfb, 0xfc, 0xfd);
    private static readonly (byte, byte, byte) s_leaky = (0xd6, 0x27, 0x28);
    private static readonly (byte, byte, byte) s_safe = (0x2c, 0xa0, 0x2c);
    private static readonly (byte, byte, byte) s_process = (0x1f, 0x77, 0xb4);

    /// <summary>Where the README's screenshot is refreshed from this test (make figures sets it).</summary>
    private const string FigureDirectoryVariable = "LEAKOPERATOR_FIGURES";

    [Fact]
    public async Task The_report_renders_every_chart_with_its_lines_and_no_console_errors()
    {
        string dir = Directory.CreateTempSubdirectory("lab-report-").FullName;
        string html = Path.Combine(dir, "lab.html");
        await using (var lab = OperatorProcess.Start("lab", "--duration", "10", "--html", html))
        {
            Assert.True(0 == await lab.ExitCodeAsync(TimeSpan.FromSeconds(120)), lab.Stdout + lab.Stderr);
        }

        string page = await File.ReadAllTextAsync(html);
        Assert.Contains("<title>LeakOperator lab: memory, task, http-conn</title>", page, StringComparison.Ordinal);
        Assert.Contains("Back to baseline", page, StringComparison.Ordinal);
        // Self-contained: no script, and nothing fetched from anywhere (the one URL is the SVG namespace).
        Assert.DoesNotContain("<script", page, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain(ExternalReference().Matches(page), m => m.Value != "http://www.w3.org/2000/svg");

        string png = Path.Combine(dir, "lab-report.png");
        var console = await HeadlessChromium.ScreenshotAsync(html, png, 1100, 2700);
        Assert.True(console.Count == 0, $"the page logged to its console:\n{string.Join('\n', console)}");

        var shot = ScreenshotRegions.Load(png);
        var plots = shot.AreasFilledWith(s_plotFill, minSide: 100);
        Assert.True(plots.Count == 7, $"3 leak charts and 4 timeline charts, found {plots.Count} plot areas: {string.Join(", ", plots)}");
        var leakCharts = plots.Where(p => p.Width > shot.Width / 2).ToList();
        var timelineCharts = plots.Where(p => p.Width <= shot.Width / 2).ToList();
        Assert.Equal(3, leakCharts.Count);
        Assert.Equal(4, timelineCharts.Count);
        foreach (var chart in leakCharts)
        {
            // A line 2.5 px wide across the plot is hundreds of pixels (the dashed right-axis line a few hundred); a blank plot has none.
            Assert.True(shot.Count(chart, s_leaky) > 300, $"leaky line in {chart}: {shot.Count(chart, s_leaky)} px");
            Assert.True(shot.Count(chart, s_safe) > 100, $"safe line in {chart}: {shot.Count(chart, s_safe)} px");
        }

        foreach (var chart in timelineCharts)
        {
            Assert.True(shot.Count(chart, s_process) > 100, $"process line in {chart}: {shot.Count(chart, s_process)} px");
        }

        if (Environment.GetEnvironmentVariable(FigureDirectoryVariable) is { Length: > 0 } figures)
        {
            File.Copy(png, Path.Combine(figures, "lab-report.png"), overwrite: true);
        }
    }

    [GeneratedRegex(@"https?://[^\s""'<>)]+")]
    private static partial Regex ExternalReference();
}
