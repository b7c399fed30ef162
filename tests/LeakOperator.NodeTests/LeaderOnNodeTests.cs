using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using LeakOperator.TestSupport;

namespace LeakOperator.NodeTests;

/// <summary>Two replicas from the chart on the real node: only the leader injects, and a deleted leader hands over fast and clean.</summary>
[Collection(NodeGroup.Name)]
public sealed partial class LeaderOnNodeTests(NodeFixture node)
{
    [Fact]
    public async Task The_samples_leak_or_stay_flat_as_their_mode_says_and_only_the_leader_injects()
    {
        var (release, ns, leader, standby) = await SamplesOnTwoReplicasAsync("samples");
        await using var _ = release;

        string first = "";
        await Eventually.True(
            async () =>
            {
                first = await ChartRelease.ScrapeAsync(leader) ?? "";
                return LeakTests.SampleNames.All(n => LeakTests.Units(first, ns, n) > 0);
            },
            () => $"the leader injects every sample; its scrape:\n{first}",
            TimeSpan.FromSeconds(60),
            TimeSpan.FromSeconds(1));

        string last = first;
        var safeSeen = LeakTests.SampleNames.Where(n => n.EndsWith("-safe", StringComparison.Ordinal)).ToDictionary(n => n, _ => new List<double>());
        await Eventually.True(
            async () =>
            {
                last = await ChartRelease.ScrapeAsync(leader) ?? "";
                foreach (var (name, seen) in safeSeen)
                {
                    seen.Add(LeakTests.Units(last, ns, name));
                }

                return new[] { "memory-leaky", "task-leaky", "http-conn-leaky" }.All(n => LeakTests.Units(last, ns, n) >= LeakTests.Units(first, ns, n) + 2);
            },
            () => $"every leaky sample climbs; first scrape:\n{first}\nlast:\n{last}",
            TimeSpan.FromSeconds(90),
            TimeSpan.FromSeconds(2));

        foreach (var (name, seen) in safeSeen)
        {
            Assert.True(seen.Max() <= 2 && seen.Max() - seen.Min() <= 1, $"{name} is flat: it held {string.Join(", ", seen)}");
        }

        string standbyScrape = await ChartRelease.ScrapeAsync(standby) ?? "";
        Assert.Contains("leakoperator_runtime_active_timers", standbyScrape, StringComparison.Ordinal);
        Assert.Equal(0, ChartRelease.Sum(standbyScrape, "leakoperator_leaked_units"));
        Assert.All(await LeakTests.ListAsync(ns), t => Assert.Equal("Injecting", t.GetProperty("status").GetProperty("phase").GetString()));
        await NodeShell.KubectlAsync("delete", "namespace", ns, "--timeout=60s");
    }

    /// <summary>
    /// SIGTERM through pod deletion: the leader releases every injection, then the lease (client-go's ReleaseOnCancel),
    /// so another replica takes over at its next retry instead of after the lease runs out; at no moment do two pods inject.
    /// </summary>
    [Fact]
    public async Task Deleting_the_leader_pod_releases_everything_and_hands_the_lease_over_within_5_s()
    {
        var (release, ns, leader, standby) = await SamplesOnTwoReplicasAsync("failover");
        await using var _ = release;
        string leaderName = ChartRelease.PodName(leader);
        await Eventually.True(async () => LeakTests.Units(await ChartRelease.ScrapeAsync(leader) ?? "", ns, "task-leaky") > 10, "the leader injects", TimeSpan.FromSeconds(60));
        await using var logs = NodeShell.Start("kubectl", "logs", "-f", "-n", ChartRelease.Namespace, leaderName);
        await logs.WaitForOutput(new Regex("(Controller leak-operator starting)"), TimeSpan.FromSeconds(30));

        var deletedAt = DateTime.UtcNow;
        var clock = Stopwatch.StartNew();
        await NodeShell.KubectlAsync("delete", "pod", "-n", ChartRelease.Namespace, leaderName, "--wait=false");
        // The lease, watched on its own: the scrapes below may wait on the old leader's address as it goes away.
        var handover = Task.Run<(TimeSpan? At, string Holder)>(async () =>
        {
            while (clock.Elapsed < TimeSpan.FromSeconds(60))
            {
                string holder = await ChartRelease.LeaderAsync();
                if (holder.Length > 0 && holder != leaderName)
                {
                    return (clock.Elapsed, holder);
                }

                await Task.Delay(100);
            }

            return (null, "");
        });
        int mostInjecting = 0;
        bool reinjected = false;
        while (!reinjected && clock.Elapsed < TimeSpan.FromSeconds(60))
        {
            // The standby, or the pod the ReplicaSet starts in the leader's place, may win the lease. The others are read
            // first: if one already injects and the old leader still does after, both held the same LeakTests.
            var othersUnits = new Dictionary<string, double>();
            foreach (var pod in (await release.PodsAsync()).Where(p => ChartRelease.PodName(p) != leaderName))
            {
                othersUnits[ChartRelease.PodName(pod)] = LeakTests.Units(await ChartRelease.ScrapeAsync(pod) ?? "", ns, "task-leaky");
            }

            double leaderUnits = LeakTests.Units(await ChartRelease.ScrapeAsync(leader) ?? "", ns, "task-leaky");
            mostInjecting = Math.Max(mostInjecting, othersUnits.Values.Count(u => u > 0) + (leaderUnits > 0 ? 1 : 0));
            reinjected = handover.IsCompleted && othersUnits.GetValueOrDefault((await handover).Holder) > 0;
        }

        var (handedOver, newLeader) = await handover;
        Assert.True(handedOver is not null, "another pod took the lease within 60 s");
        Assert.True(reinjected, $"the new leader {newLeader} injects the running LeakTests again");
        Assert.Equal(1, mostInjecting);
        Assert.Equal(0, await logs.ExitCodeAsync(TimeSpan.FromSeconds(40)));
        string leaderLog = logs.Stdout;
        var releasedAll = At(leaderLog, ReleasedEverything(), deletedAt);
        var releasedLease = At(leaderLog, ReleasedLease(), deletedAt);
        Console.WriteLine(
            $"failover: every injection released {releasedAll.TotalSeconds:0.00} s after the delete, "
            + $"the lease {releasedLease.TotalSeconds:0.00} s, {newLeader} leading {handedOver.Value.TotalSeconds:0.00} s "
            + $"({(newLeader == ChartRelease.PodName(standby) ? "the standby" : "the replacement pod")})");
        Assert.True(releasedAll <= releasedLease, "injections are released before the lease");
        Assert.True(releasedAll < TimeSpan.FromSeconds(10), $"released {releasedAll.TotalSeconds:0.0} s after SIGTERM; the grace period is 30 s");
        Assert.True(handedOver < TimeSpan.FromSeconds(5), $"the lease was handed over after {handedOver.Value.TotalSeconds:0.0} s");
        await NodeShell.KubectlAsync("delete", "namespace", ns, "--timeout=60s");
    }

    /// <summary>A release of two replicas, the samples applied in a namespace of their own, and which pod leads.</summary>
    private async Task<(ChartRelease Release, string Namespace, JsonElement Leader, JsonElement Standby)> SamplesOnTwoReplicasAsync(string name)
    {
        var release = await ChartRelease.InstallAsync(node, 4, name, "replicaCount=2");
        try
        {
            var pods = await release.WaitForReadyPodsAsync(2, TimeSpan.FromSeconds(60));
            string ns = await NodeShell.NewNamespaceAsync(name);
            await LeakTests.ApplySamplesAsync(ns);
            var (leader, standby) = await LeaderAndStandbyAsync(pods);
            return (release, ns, leader, standby);
        }
        catch
        {
            // Uninstalled even so: the next test's operator must not find this one still watching every namespace.
            await release.DisposeAsync();
            throw;
        }
    }

    private static async Task<(JsonElement Leader, JsonElement Standby)> LeaderAndStandbyAsync(List<JsonElement> pods)
    {
        string holder = "";
        await Eventually.True(
            async () => pods.Select(ChartRelease.PodName).Contains(holder = await ChartRelease.LeaderAsync()),
            () => $"one of the pods leads (holder: '{holder}')",
            TimeSpan.FromSeconds(40));
        return (pods.Single(p => ChartRelease.PodName(p) == holder), pods.Single(p => ChartRelease.PodName(p) != holder));
    }

    /// <summary>When a log line (HH:mm:ss.fff, UTC) was written, after <paramref name="since"/>.</summary>
    private static TimeSpan At(string log, Regex line, DateTime since)
    {
        var match = line.Match(log);
        Assert.True(match.Success, $"the leader's log has no line matching {line}:\n{log}");
        var time = since.Date + TimeSpan.ParseExact(match.Groups[1].Value, @"hh\:mm\:ss\.fff", CultureInfo.InvariantCulture);
        return time - since;
    }

    [GeneratedRegex(@"(?m)^(\d\d:\d\d:\d\d\.\d{3}) info: \S+ Released every injection \(\d+\)")]
    private static partial Regex ReleasedEverything();

    [GeneratedRegex(@"(?m)^(\d\d:\d\d:\d\d\.\d{3}) info: \S+ Released lease leak-operator-leader")]
    private static partial Regex ReleasedLease();
}
