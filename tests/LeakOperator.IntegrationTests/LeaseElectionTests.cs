using System.Diagnostics;
using k8s;
using k8s.Models;
using LeakOperator.Controller.Election;
using LeakOperator.Controller.Instrumentation;
using LeakOperator.IntegrationTests.ControlPlane;
using LeakOperator.TestSupport;
using Microsoft.Extensions.Logging.Abstractions;

namespace LeakOperator.IntegrationTests;

/// <summary>
/// The Lease elector (our own, client-go's rules) against the real API server, beside the operator-level election
/// tests in <see cref="FaultTests"/> and <see cref="SelfLeakTests"/>: a holder that stopped renewing is replaced after
/// its lease duration and not before, and of many contenders for a new Lease exactly one leads at any time.
/// </summary>
[Collection(ControlPlaneGroup.Name)]
public sealed class LeaseElectionTests(ControlPlaneFixture fixture)
{
    private static readonly TimeSpan s_deadline = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task A_lease_whose_holder_stopped_renewing_is_taken_after_its_duration_and_not_before()
    {
        string lease = NewLeaseName();
        await fixture.Admin.CoordinationV1.CreateNamespacedLeaseAsync(
            new V1Lease
            {
                Metadata = new V1ObjectMeta { Name = lease },
                Spec = new V1LeaseSpec { HolderIdentity = "gone", LeaseDurationSeconds = 3, RenewTime = DateTime.UtcNow, AcquireTime = DateTime.UtcNow, LeaseTransitions = 4 },
            },
            ControlPlaneFixture.OperatorNamespace);

        var contender = new ElectedWork(fixture, lease, "heir");
        using var stop = new CancellationTokenSource();
        var clock = Stopwatch.StartNew();
        var running = contender.RunAsync(stop.Token);
        await Eventually.True(() => contender.Terms == 1, "the heir leads", s_deadline);
        var tookOver = clock.Elapsed;
        var taken = await fixture.Admin.CoordinationV1.ReadNamespacedLeaseAsync(lease, ControlPlaneFixture.OperatorNamespace);
        await stop.CancelAsync();
        await running;

        // The heir first saw the record when it started: the holder's 3 s count from then, on the heir's own clock.
        Assert.True(tookOver >= TimeSpan.FromSeconds(3), $"took a lease still held, after {tookOver.TotalSeconds:0.00} s");
        Assert.True(tookOver < TimeSpan.FromSeconds(10), $"took {tookOver.TotalSeconds:0.00} s over an expired lease");
        Assert.Equal("heir", taken.Spec.HolderIdentity);
        Assert.Equal(5, taken.Spec.LeaseTransitions);
        Assert.Equal(2, taken.Spec.LeaseDurationSeconds); // the heir writes its own
    }

    [Fact]
    public async Task Of_eight_contenders_for_a_new_lease_one_leads_at_a_time_and_a_stopped_leader_hands_over()
    {
        string lease = NewLeaseName();
        var leaders = new LeaderCount();
        var contenders = Enumerable.Range(0, 8).Select(i => new ElectedWork(fixture, lease, $"c{i}", leaders: leaders)).ToList();
        var stops = contenders.Select(_ => new CancellationTokenSource()).ToList();
        var running = contenders.Select((c, i) => c.RunAsync(stops[i].Token)).ToList();
        try
        {
            await Eventually.True(() => leaders.Now == 1, "one contender leads", s_deadline);

            // Each leader in turn stops gracefully (it releases the Lease) and another takes over.
            for (int change = 0; change < 3; change++)
            {
                int leader = -1;
                await Eventually.True(() => (leader = contenders.FindIndex(c => c.Leading)) >= 0, "a contender leads", s_deadline);
                int termsBefore = contenders.Sum(c => c.Terms);
                await stops[leader].CancelAsync();
                await running[leader];
                await Eventually.True(
                    () => contenders.Sum(c => c.Terms) > termsBefore && leaders.Now == 1,
                    () => $"change {change + 1}: another contender leads ({string.Join(", ", contenders)})",
                    s_deadline);
            }
        }
        finally
        {
            foreach (var stop in stops)
            {
                await stop.CancelAsync();
            }

            await Task.WhenAll(running);
            stops.ForEach(s => s.Dispose());
        }

        Assert.Equal(1, leaders.Most);
    }

    private static string NewLeaseName() => $"elect-{Guid.NewGuid():N}"[..20];
}
