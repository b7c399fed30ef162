using System.IO.Compression;
using LeakOperator.TestSupport;
using Xunit.Abstractions;

namespace LeakOperator.Diagnostics.Tests;

/// <summary>
/// What a user gets: <c>dotnet pack</c> makes both packages with their README, and a test project that references
/// them as the README says (Sample/) fails exactly its leaking test, naming the loop, and passes the others.
/// </summary>
public sealed class PackageTests(ITestOutputHelper output)
{
    [Fact]
    public async Task The_packed_packages_fail_a_users_leaking_test_naming_its_loop_and_pass_the_rest()
    {
        string work = Directory.CreateTempSubdirectory("leakguard-package-").FullName;
        try
        {
            // A version of its own: the machine's package cache never hands back an older build of the same number.
            string version = $"0.1.0-test.{DateTime.UtcNow:yyyyMMddHHmmss}";
            string feed = Path.Combine(work, "feed");
            foreach (var project in new[] { "LeakOperator.LeakGuard", "LeakOperator.LeakGuard.Xunit" })
            {
                var pack = await Command.RunAsync(
                    "dotnet",
                    ["pack", Repository.PathOf("src", project), "-c", "Release", "-o", feed, $"-p:Version={version}", "--nologo"],
                    timeout: TimeSpan.FromMinutes(5));
                Assert.True(pack.Code == 0, pack.Output + pack.Error);
            }

            using (var package = ZipFile.OpenRead(Path.Combine(feed, $"LeakOperator.LeakGuard.{version}.nupkg")))
            {
                var entries = package.Entries.Select(e => e.FullName).ToList();
                Assert.Contains("README.md", entries);
                Assert.Contains("lib/net10.0/LeakOperator.LeakGuard.dll", entries);
                Assert.Contains("lib/net10.0/LeakOperator.LeakGuard.xml", entries);
            }

            string sample = Path.Combine(work, "sample");
            Directory.CreateDirectory(sample);
            foreach (var file in Directory.GetFiles(Path.Combine(AppContext.BaseDirectory, "Sample")))
            {
                File.Copy(file, Path.Combine(sample, Path.GetFileName(file)));
            }

            var test = await Command.RunAsync(
                "dotnet",
                ["test", sample, "--nologo", $"-p:LeakGuardVersion={version}", $"-p:RestoreAdditionalProjectSources={feed}"],
                timeout: TimeSpan.FromMinutes(8));
            // Lower-cased summary lines: run-tests.sh sums every "Failed!/Passed!" line of the log, and the sample's
            // are not this suite's.
            output.WriteLine(test.Output.Replace("Failed!", "failed!", StringComparison.Ordinal).Replace("Passed!", "passed!", StringComparison.Ordinal));
            Assert.NotEqual(0, test.Code);
            Assert.Contains("Failed Sample.CacheTests.A_cache_that_forgets_to_stop_its_loop", test.Output, StringComparison.Ordinal);
            Assert.Contains("1 @ Sample.RefreshingCache.RefreshLoopAsync [PeriodicTimer, every 60000 ms]", test.Output, StringComparison.Ordinal);
            Assert.Contains("Failed:     1, Passed:     3", test.Output, StringComparison.Ordinal);

            // The failure the README shows is this run's, times aside.
            var printed = test.Output.Split('\n').Select(Normalized).ToHashSet();
            foreach (var line in ReadmeSampleFailure())
            {
                Assert.True(printed.Contains(Normalized(line)), $"the README shows '{line}', which this run did not print");
            }
        }
        finally
        {
            Directory.Delete(work, recursive: true);
        }
    }

    private static IEnumerable<string> ReadmeSampleFailure()
    {
        string readme = File.ReadAllText(Repository.PathOf("src", "LeakOperator.LeakGuard", "README.md"));
        int start = readme.IndexOf("<!-- sample-failure -->", StringComparison.Ordinal);
        int end = readme.IndexOf("<!-- /sample-failure -->", StringComparison.Ordinal);
        Assert.True(start >= 0 && end > start, "the README has no sample-failure block");
        return readme[start..end].Split('\n').Skip(1).Where(l => !l.StartsWith("```", StringComparison.Ordinal) && l.Trim().Length > 0);
    }

    /// <summary>A line with its durations ("[2 s]", "after 2.03 s") made alike, and its indentation dropped.</summary>
    private static string Normalized(string line) =>
        System.Text.RegularExpressions.Regex.Replace(line.Trim(), @"\[\d+ m?s\]|after \d+(\.\d+)? s", "T");
}
