using System.Diagnostics;
using LeakOperator.IntegrationTests.ControlPlane;
using LeakOperator.Operator.Api;
using LeakOperator.TestSupport;
using Xunit.Abstractions;

namespace LeakOperator.IntegrationTests;

/// <summary>Many LeakTests and a stream of spec changes: every generation is observed, none is lost.</summary>
[Collection(ControlPlaneGroup.Name)]
public sealed class LoadTests(ControlPlaneFixture fixture, ITestOutputHelper output)
{
    private const int Tests = 300;
    private const int Rounds = 3;

    [Fact]
    public async Task Every_generation_of_300_tests_under_repeated_spec_updates_is_observed()
    {
        await using var ns = await TestNamespace.CreateAsync(fixture, "load");
        var objects = new LeakTestObjects(fixture.Admin);
        await using var op = await RunningOperator.StartAsync(fixture, $"load-{ns}", "--leader-elect", "false", "--workers", "8");
        var names = Enumerable.Range(0, Tests).Select(i => $"t{i:000}").ToList();
        var clock = Stopwatch.StartNew();
        await Parallel.ForEachAsync(names, new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (name, _) =>
            await objects.CreateAsync(LeakTestObjects.New(ns, name, new LeakTestSpec { LeakType = "memory", Mode = "safe", DurationSeconds = 600, RatePerSecond = 0.1, MaxUnits = 1 })));
        await WaitForAllObserved(objects, ns, names, expected: 1);
        output.WriteLine($"{Tests} created and observed in {clock.Elapsed.TotalSeconds:0.0} s");

        for (int round = 2; round <= Rounds + 1; round++)
        {
            clock.Restart();
            int duration = 600 + round;
            await Parallel.ForEachAsync(names, new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (name, _) =>
                await objects.UpdateSpecAsync(ns, name, spec => spec.DurationSeconds = duration));
            await WaitForAllObserved(objects, ns, names, expected: round);
            output.WriteLine($"round {round}: {Tests} spec updates observed in {clock.Elapsed.TotalSeconds:0.0} s");
        }

        string scrape = await op.ScrapeAsync();
        Assert.Equal(Tests, scrape.Split('\n').Count(line => line.StartsWith("leakoperator_leaked_units{", StringComparison.Ordinal) && line.Contains($"namespace=\"{ns}\"", StringComparison.Ordinal)));
        Assert.Equal(200, (await op.GetAsync("/readyz")).Status);
    }

    private static async Task WaitForAllObserved(LeakTestObjects objects, string ns, List<string> names, long expected)
    {
        var pending = new HashSet<string>(names, StringComparer.Ordinal);
        await Eventually.True(
            async () =>
            {
                foreach (var name in pending.ToList())
                {
                    if (await objects.GetAsync(ns, name) is { Status.ObservedGeneration: { } observed } && observed >= expected)
                    {
                        pending.Remove(name);
                    }
                }

                return pending.Count == 0;
            },
            () => $"{pending.Count} tests still not at generation {expected}, e.g. {string.Join(", ", pending.Take(5))}",
            TimeSpan.FromSeconds(120),
            TimeSpan.FromMilliseconds(500));
    }
}
