using k8s;
using LeakOperator.IntegrationTests.ControlPlane;
using LeakOperator.Operator.Api;
using LeakOperator.TestSupport;

namespace LeakOperator.IntegrationTests;

/// <summary>It must never hurt the cluster it runs in: caps, shutdown, crashes, the worst-case lever.</summary>
[Collection(ControlPlaneGroup.Name)]
public sealed class HardeningTests(ControlPlaneFixture fixture)
{
    private static readonly TimeSpan s_deadline = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task Tests_asking_for_far_more_than_the_budget_are_capped_and_the_operator_stays_responsive()
    {
        await using var bed = await OperatorTestBed.StartAsync(fixture, "budget", "--leader-elect", "false", "--budget-timer-loops", "150");
        var (ns, objects, op) = bed;
        string[] names = ["greedy-1", "greedy-2", "greedy-3", "greedy-4"];
        foreach (var name in names)
        {
            await objects.CreateAsync(LeakTestObjects.New(ns, name, new LeakTestSpec { LeakType = "task", DurationSeconds = 600, RatePerSecond = 1000, MaxUnits = 10_000 }));
        }

        var capped = new List<LeakTest>();
        await Eventually.True(
            async () =>
            {
                capped.Clear();
                foreach (var name in names)
                {
                    if (await objects.GetAsync(ns, name) is { } t && t.Status?.Conditions.Any(c => c.Type == LeakTestConditions.Capped && c.Status == "True") == true)
                    {
                        capped.Add(t);
                    }
                }

                return capped.Count == names.Length;
            },
            "every greedy test reports Capped",
            s_deadline);

        Assert.Contains(capped, t => t.Status!.Conditions.Single(c => c.Type == LeakTestConditions.Capped).Message.Contains("operator-wide task budget of 150", StringComparison.Ordinal));
        string scrape = await op.ScrapeAsync();
        double held = names.Sum(name => RunningOperator.Value(scrape, RunningOperator.LeakedUnitsSeries("task", "leaky", ns, name)) ?? 0);
        Assert.True(held <= 150, $"{held} timer loops held against a budget of 150");
        Assert.Equal(200, (await op.GetAsync("/healthz")).Status);
        Assert.Equal(200, (await op.GetAsync("/readyz")).Status);

        // Events are sent after the status write, by a background sender: wait for it.
        await Eventually.True(async () => (await fixture.Admin.CoreV1.ListNamespacedEventAsync(ns)).Items.Any(e => e.Reason == "Capped"), "a Capped event is recorded", s_deadline);
    }

    [Fact]
    public async Task SIGTERM_releases_everything_and_exits_cleanly()
    {
        await using var bed = await OperatorTestBed.StartAsync(fixture, "sigterm", "--leader-elect", "false");
        var (ns, objects, op) = bed;
        await objects.CreateAsync(LeakTestObjects.New(ns, "held", new LeakTestSpec { LeakType = "http-conn", DurationSeconds = 600, RatePerSecond = 20 }));
        await Eventually.True(async () => RunningOperator.Value(await op.ScrapeAsync(), RunningOperator.LeakedUnitsSeries("http-conn", "leaky", ns, "held")) >= 10, "connections leak", s_deadline);

        op.Process.Terminate();

        Assert.Equal(0, await op.Process.ExitCodeAsync(TimeSpan.FromSeconds(30)));
        Assert.True(op.Process.Stdout.Contains("Released every injection (1)", StringComparison.Ordinal), op.Process.Stdout);
    }

    [Fact]
    public async Task After_a_crash_a_new_operator_finishes_pending_deletions_and_reinjects_running_tests()
    {
        await using var ns = await TestNamespace.CreateAsync(fixture, "crash");
        var objects = new LeakTestObjects(fixture.Admin);
        var first = await RunningOperator.StartAsync(fixture, $"crash-a-{ns}", "--leader-elect", "false");
        await objects.CreateAsync(LeakTestObjects.New(ns, "doomed", new LeakTestSpec { LeakType = "memory", DurationSeconds = 600 }));
        await objects.CreateAsync(LeakTestObjects.New(ns, "survivor", new LeakTestSpec { LeakType = "task", DurationSeconds = 600 }));
        await Eventually.True(async () => (await objects.GetAsync(ns, "doomed"))?.Metadata.Finalizers?.Contains(LeakTest.Finalizer) == true, "the finalizer is on", s_deadline);

        first.Process.Kill();
        await first.DisposeAsync();
        await objects.DeleteAsync(ns, "doomed");
        Assert.NotNull((await objects.GetAsync(ns, "doomed"))?.Metadata.DeletionTimestamp);

        await using var second = await RunningOperator.StartAsync(fixture, $"crash-b-{ns}", "--leader-elect", "false");
        await Eventually.True(async () => await objects.GetAsync(ns, "doomed") is null, "the pending deletion completes", s_deadline);
        await Eventually.True(
            async () => RunningOperator.Value(await second.ScrapeAsync(), RunningOperator.LeakedUnitsSeries("task", "leaky", ns, "survivor")) > 0,
            "the running test is injected again by the new operator",
            s_deadline);
    }

    [Fact]
    public async Task The_force_release_annotation_releases_at_once_and_removing_it_injects_again()
    {
        await using var bed = await OperatorTestBed.StartAsync(fixture, "force", "--leader-elect", "false");
        var (ns, objects, op) = bed;
        await objects.CreateAsync(LeakTestObjects.New(ns, "stuck", new LeakTestSpec { LeakType = "memory", DurationSeconds = 600, RatePerSecond = 8 }));
        string series = RunningOperator.LeakedUnitsSeries("memory", "leaky", ns, "stuck");
        await Eventually.True(async () => RunningOperator.Value(await op.ScrapeAsync(), series) >= 8, "memory leaks", s_deadline);

        await objects.AnnotateAsync(ns, "stuck", LeakTest.ForceReleaseAnnotation, "true");

        await Eventually.True(
            async () => (await objects.GetAsync(ns, "stuck"))?.Status is { Phase: LeakTestPhases.Completed, LeakedUnits: 0 },
            "released on request",
            s_deadline);
        Assert.Null(RunningOperator.Value(await op.ScrapeAsync(), series));

        await objects.AnnotateAsync(ns, "stuck", LeakTest.ForceReleaseAnnotation, null);
        await Eventually.True(async () => RunningOperator.Value(await op.ScrapeAsync(), series) > 0, "injecting again without the annotation", s_deadline);
    }
}
