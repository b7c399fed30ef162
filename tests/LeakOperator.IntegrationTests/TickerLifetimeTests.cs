using LeakOperator.IntegrationTests.ControlPlane;
using LeakOperator.Operator.Api;
using LeakOperator.TestSupport;

namespace LeakOperator.IntegrationTests;

/// <summary>
/// A SafeTicker registered by a reconcile lives exactly as long as its object's injection: every trigger that ends
/// the injection — a spec change, the force-release lever, deletion — closes it, seen in the operator's own count of
/// open SafeTickers. (Leader loss and shutdown end every injection: FaultTests and HardeningTests.)
/// </summary>
[Collection(ControlPlaneGroup.Name)]
public sealed class TickerLifetimeTests(ControlPlaneFixture fixture)
{
    private const string OpenTickers = "leakoperator_safe_tickers_open";
    private static readonly TimeSpan s_deadline = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task The_per_object_SafeTicker_closes_on_spec_change_force_release_and_deletion()
    {
        await using var bed = await OperatorTestBed.StartAsync(fixture, "lifetime", "--leader-elect", "false");
        var (ns, objects, op) = bed;
        await op.WaitUntilReadyAsync();
        double baseline = RunningOperator.Value(await op.ScrapeAsync(), OpenTickers) ?? throw new InvalidOperationException($"no {OpenTickers}");

        // Each injection of this test holds two SafeTickers: the storm's one per object, and the status sampler.
        await objects.CreateAsync(LeakTestObjects.New(ns, "bound", new LeakTestSpec
        {
            LeakType = "task",
            Mode = "safe",
            DurationSeconds = 600,
            TickIntervalMilliseconds = 200,
            Task = new LeakTestTaskSpec { Pattern = "reconcile-storm" },
        }));
        await WaitFor(op, objects, ns, generation: 1, open: baseline + 2, "the first injection runs its ticker");

        var changed = await objects.UpdateSpecAsync(ns, "bound", spec => spec.DurationSeconds = 601);
        await WaitFor(op, objects, ns, changed.Metadata.Generation!.Value, open: baseline + 2, "the spec change closed the old generation's tickers and started new ones");

        await objects.AnnotateAsync(ns, "bound", LeakTest.ForceReleaseAnnotation, "true");
        await Eventually.True(async () => RunningOperator.Value(await op.ScrapeAsync(), OpenTickers) == baseline, "force-release closes them", s_deadline);
        await objects.AnnotateAsync(ns, "bound", LeakTest.ForceReleaseAnnotation, null);
        await Eventually.True(async () => RunningOperator.Value(await op.ScrapeAsync(), OpenTickers) == baseline + 2, "removing the annotation injects again", s_deadline);

        await objects.DeleteAsync(ns, "bound");
        await Eventually.True(async () => await objects.GetAsync(ns, "bound") is null && RunningOperator.Value(await op.ScrapeAsync(), OpenTickers) == baseline, "deletion closes them", s_deadline);
    }

    private static async Task WaitFor(RunningOperator op, LeakTestObjects objects, string ns, long generation, double open, string what)
    {
        double? seen = null;
        LeakTestStatus? status = null;
        await Eventually.True(
            async () =>
            {
                seen = RunningOperator.Value(await op.ScrapeAsync(), OpenTickers);
                status = (await objects.GetAsync(ns, "bound"))?.Status;

                // Many reconciles asked for a ticker; exactly one was started for this generation.
                return seen == open && status is { ObservedGeneration: { } observed, Evidence: { } evidence }
                    && observed == generation && evidence.GetValueOrDefault("tickersStarted") == 1 && evidence.GetValueOrDefault("reconciles") >= 3;
            },
            () => $"{what}: {OpenTickers} {seen} (want {open}), status generation {status?.ObservedGeneration}, "
                + $"evidence {(status?.Evidence is { } e ? string.Join(", ", e.Select(kv => $"{kv.Key}={kv.Value}")) : "none")}",
            s_deadline);
    }
}
