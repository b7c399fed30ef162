using k8s;
using LeakOperator.Controller.Reconciling;
using LeakOperator.Controller.Resources;
using LeakOperator.IntegrationTests.ControlPlane;
using LeakOperator.Operator.Api;
using LeakOperator.TestSupport;

namespace LeakOperator.IntegrationTests;

/// <summary>What real clusters do to operators: API server restarts, write conflicts, two replicas at once.</summary>
[Collection(ControlPlaneGroup.Name)]
public sealed class FaultTests(ControlPlaneFixture fixture)
{
    private static readonly TimeSpan s_deadline = TimeSpan.FromSeconds(90);

    [Fact]
    public async Task The_watch_survives_an_API_server_restart_and_loses_no_update()
    {
        await using var bed = await OperatorTestBed.StartAsync(fixture, "restart", "--leader-elect", "false");
        var (ns, objects, op) = bed;
        await objects.CreateAsync(LeakTestObjects.New(ns, "before", new LeakTestSpec { LeakType = "task", DurationSeconds = 600, RatePerSecond = 10 }));
        await Eventually.True(async () => (await objects.GetAsync(ns, "before"))?.Status?.Phase == LeakTestPhases.Injecting, "the first test injects", s_deadline);

        await fixture.Plane.RestartApiServerAsync(downtime: TimeSpan.FromSeconds(3));

        var changed = await objects.UpdateSpecAsync(ns, "before", spec => spec.Mode = "safe");
        await objects.CreateAsync(LeakTestObjects.New(ns, "after", new LeakTestSpec { LeakType = "memory", DurationSeconds = 600 }));
        await Eventually.True(
            async () => (await objects.GetAsync(ns, "before"))?.Status?.ObservedGeneration == changed.Metadata.Generation
                && (await objects.GetAsync(ns, "after"))?.Status?.Phase == LeakTestPhases.Injecting,
            () => $"both changes made after the restart are observed\noperator output:\n{op.Process.Stdout}",
            s_deadline);

        string scrape = await op.ScrapeAsync();
        Assert.True(RunningOperator.Value(scrape, "leakoperator_watch_reconnects_total{resource=\"leaktests.leakoperator.dev\",reason=\"error\"}") >= 1, "the broken watch was counted");
        Assert.Null(RunningOperator.Value(scrape, RunningOperator.LeakedUnitsSeries("task", "leaky", ns, "before")));
        Assert.NotNull(RunningOperator.Value(scrape, RunningOperator.LeakedUnitsSeries("task", "safe", ns, "before")));
        await op.WaitUntilReadyAsync("ready again once the watch is back", s_deadline);
    }

    [Fact]
    public async Task A_status_write_that_meets_a_conflict_is_retried_on_the_latest_version()
    {
        await using var bed = await OperatorTestBed.CreateAsync(fixture, "conflict");
        var (ns, objects) = bed;
        await objects.CreateAsync(LeakTestObjects.New(ns, "contested", new LeakTestSpec { LeakType = "memory" }));
        var stale = (await objects.GetAsync(ns, "contested"))!;

        // Another writer changes the status first, so the stale copy's resourceVersion is out of date.
        var other = (await objects.GetAsync(ns, "contested"))!;
        other.Status = new LeakTestStatus { Phase = LeakTestPhases.Pending };
        await objects.Client.ReplaceStatusAsync(other, CancellationToken.None);

        int conflicts = 0;
        var written = await ConflictRetry.WriteAsync(
            objects.Client,
            stale,
            obj =>
            {
                obj.Status ??= new LeakTestStatus();
                obj.Status.LeakedUnits = 7;
                return true;
            },
            objects.Client.ReplaceStatusAsync,
            () => conflicts++,
            CancellationToken.None);

        Assert.Equal(1, conflicts);
        Assert.True(written.Written);
        var final = (await objects.GetAsync(ns, "contested"))!;
        Assert.Equal(7, final.Status!.LeakedUnits);
        Assert.Equal(LeakTestPhases.Pending, final.Status.Phase);
        Assert.Equal(written.Latest!.Metadata.ResourceVersion, final.Metadata.ResourceVersion);
    }

    [Fact]
    public async Task Two_replicas_elect_one_leader_that_alone_injects_and_the_other_takes_over_when_it_dies()
    {
        await using var ns = await TestNamespace.CreateAsync(fixture, "elect");
        var objects = new LeakTestObjects(fixture.Admin);
        await using var a = await RunningOperator.StartAsync(fixture, "replica-a");
        await using var b = await RunningOperator.StartAsync(fixture, "replica-b");
        const string Leading = "leader_election_master_status{name=\"leak-operator-leader\"}";

        RunningOperator? leader = null;
        await Eventually.True(
            async () =>
            {
                double la = RunningOperator.Value(await a.ScrapeAsync(), Leading) ?? 0;
                double lb = RunningOperator.Value(await b.ScrapeAsync(), Leading) ?? 0;
                Assert.False(la == 1 && lb == 1, "two leaders at once");
                leader = la == 1 ? a : lb == 1 ? b : null;
                return leader is not null;
            },
            "one replica leads",
            s_deadline);
        var standby = leader == a ? b : a;
        Assert.Equal(200, (await standby.GetAsync("/readyz")).Status);

        await objects.CreateAsync(LeakTestObjects.New(ns, "once", new LeakTestSpec { LeakType = "task", DurationSeconds = 600, RatePerSecond = 5 }));
        string series = RunningOperator.LeakedUnitsSeries("task", "leaky", ns, "once");
        await Eventually.True(async () => RunningOperator.Value(await leader!.ScrapeAsync(), series) > 0, "the leader injects", s_deadline);
        Assert.Null(RunningOperator.Value(await standby.ScrapeAsync(), series));

        leader!.Process.Kill();

        await Eventually.True(
            async () => RunningOperator.Value(await standby.ScrapeAsync(), series) > 0,
            () => $"the standby takes the lease and injects\nstandby output:\n{standby.Process.Stdout}",
            s_deadline);
        Assert.Equal(1, RunningOperator.Value(await standby.ScrapeAsync(), Leading));
    }

    [Fact]
    public async Task A_leader_that_loses_its_lease_stops_injecting_before_anyone_else_starts()
    {
        await using var ns = await TestNamespace.CreateAsync(fixture, "lose");
        var objects = new LeakTestObjects(fixture.Admin);
        await using var a = await RunningOperator.StartAsync(fixture, "loser-a");
        await using var b = await RunningOperator.StartAsync(fixture, "loser-b");
        await objects.CreateAsync(LeakTestObjects.New(ns, "guarded", new LeakTestSpec { LeakType = "task", DurationSeconds = 600, RatePerSecond = 5 }));
        string series = RunningOperator.LeakedUnitsSeries("task", "leaky", ns, "guarded");
        async Task<(bool A, bool B)> Injecting() => (RunningOperator.Value(await a.ScrapeAsync(), series) > 0, RunningOperator.Value(await b.ScrapeAsync(), series) > 0);
        await Eventually.True(async () => await Injecting() is (true, false) or (false, true), "one replica injects", s_deadline);
        var first = await Injecting();

        // Another holder takes the Lease, as a partition or a slow renew would leave it: the leader must step down.
        await LeaseHolder.WriteAsync(fixture.Admin, "leak-operator-leader", "intruder", durationSeconds: 15);

        bool sawGap = false;
        var watch = System.Diagnostics.Stopwatch.StartNew();
        while (true)
        {
            var now = await Injecting();
            Assert.False(now.A && now.B, "both replicas injected at once");
            sawGap |= now == (false, false);
            if (sawGap && now != (false, false))
            {
                break;
            }

            Assert.True(watch.Elapsed < TimeSpan.FromSeconds(60), $"no replica injected again within 60 s (gap seen: {sawGap}; first leader {(first.A ? "a" : "b")})");
            await Task.Delay(100);
        }

        // Nobody may take the intruder's Lease before it expires (15 s after it was written, as a replica observes it);
        // then a replica takes it, starts its controller and injects again.
        Assert.True(watch.Elapsed > TimeSpan.FromSeconds(14), $"a replica injected {watch.Elapsed.TotalSeconds:0.0} s after the intruder took a 15 s Lease");
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(50), $"failover took {watch.Elapsed.TotalSeconds:0} s");
    }
}
