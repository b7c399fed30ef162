using LeakOperator.TestSupport;

namespace LeakOperator.NodeTests;

/// <summary>`helm install` of the chart as shipped, on a real node: the pods run, and run as the chart says.</summary>
[Collection(NodeGroup.Name)]
public sealed partial class ChartOnNodeTests(NodeFixture node)
{
    [Theory]
    [InlineData(3)]
    [InlineData(4)]
    public async Task Two_replicas_become_Ready_within_60_s_without_restarts_on_the_in_cluster_config(int helm)
    {
        await using var release = await ChartRelease.InstallAsync(node, helm, $"helm{helm}", "replicaCount=2");

        var pods = await release.WaitForReadyPodsAsync(2, TimeSpan.FromSeconds(60));

        foreach (var pod in pods)
        {
            Assert.Equal(0, ChartRelease.Restarts(pod));
            string logs = await ChartRelease.LogsAsync(ChartRelease.PodName(pod));
            Assert.Contains($"LeakOperator run: {ChartRelease.PodName(pod)} serving", logs, StringComparison.Ordinal);
            Assert.Contains("at https://10.96.0.1:443/ (config: in-cluster, service account token)", logs, StringComparison.Ordinal);
        }

        // A lease left by an earlier release in this namespace (its RBAC went with it, so it could not release it) runs
        // out by itself; then one of these pods holds it.
        string leader = "";
        await Eventually.True(
            async () => pods.Select(ChartRelease.PodName).Contains(leader = await ChartRelease.LeaderAsync()),
            () => $"one of the pods leads (lease holder: '{leader}')",
            TimeSpan.FromSeconds(40));
    }

    /// <summary>What the kernel says of the container's process, not what the manifest asks for.</summary>
    [Fact]
    public async Task The_restricted_security_context_is_in_force_inside_the_container()
    {
        await using var release = await ChartRelease.InstallAsync(node, 4, "secctx");
        var pod = (await release.WaitForReadyPodsAsync(1, TimeSpan.FromSeconds(60))).Single();
        int pid = await ChartRelease.ContainerPidAsync(pod);

        string status = await File.ReadAllTextAsync($"/proc/{pid}/status");
        string cmdline = (await File.ReadAllTextAsync($"/proc/{pid}/cmdline")).Replace('\0', ' ');
        Assert.StartsWith("/app/LeakOperator run --workers=8", cmdline, StringComparison.Ordinal);
        Assert.Equal("1654\t1654\t1654\t1654", Field(status, "Uid"));
        Assert.Equal("1654\t1654\t1654\t1654", Field(status, "Gid"));
        Assert.Equal("0000000000000000", Field(status, "CapEff"));
        Assert.Equal("0000000000000000", Field(status, "CapPrm"));
        Assert.Equal("1", Field(status, "NoNewPrivs"));
        Assert.Equal("2", Field(status, "Seccomp")); // 2: filter mode (RuntimeDefault), 0 would be none

        var mounts = (await File.ReadAllLinesAsync($"/proc/{pid}/mountinfo")).Select(line => line.Split(' ')).ToDictionary(f => f[4], f => f[5]);
        Assert.StartsWith("ro", mounts["/"], StringComparison.Ordinal);
        Assert.StartsWith("rw", mounts["/tmp"], StringComparison.Ordinal);
    }

    private static string Field(string status, string name) =>
        status.Split('\n').Single(l => l.StartsWith(name + ":", StringComparison.Ordinal))[(name.Length + 1)..].Trim();
}
