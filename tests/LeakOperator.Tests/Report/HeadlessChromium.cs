using LeakOperator.TestSupport;

namespace LeakOperator.Tests.Report;

/// <summary>Debian's Chromium, headless, as the machine notes say it runs here: a page to a PNG, and what its console said.</summary>
internal static class HeadlessChromium
{
    private const string Executable = "/usr/bin/chromium";

    /// <summary>
    /// Renders <paramref name="page"/> at <paramref name="width"/>×<paramref name="height"/> into <paramref name="png"/>.
    /// Returns the page's console messages: with <c>--enable-logging=stderr</c> Chromium prints each one as a
    /// <c>CONSOLE</c> line on its standard error.
    /// </summary>
    public static async Task<IReadOnlyList<string>> ScreenshotAsync(string page, string png, int width, int height)
    {
        Assert.True(File.Exists(Executable), $"{Executable} is missing: scripts/chromium.sh installs Debian's chromium (make test-tools does)");
        string profile = Directory.CreateTempSubdirectory("chromium-profile-").FullName;
        try
        {
            var (code, output, error) = await Command.RunAsync(
                Executable,
                [
                    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                    // Without these Chromium keeps calling Google's hosts, which this machine's closed network refuses.
                    "--disable-background-networking", "--disable-component-update", "--disable-sync",
                    $"--user-data-dir={profile}", "--hide-scrollbars", "--enable-logging=stderr", "--v=0",
                    $"--window-size={width},{height}", $"--screenshot={png}", new Uri(page).AbsoluteUri,
                ],
                timeout: TimeSpan.FromMinutes(2));
            Assert.True(code == 0 && File.Exists(png), $"chromium exited {code}\n{output}\n{error}");
            return [.. error.Split('\n').Where(line => line.Contains(":CONSOLE", StringComparison.Ordinal))];
        }
        finally
        {
            Directory.Delete(profile, recursive: true);
        }
    }
}
