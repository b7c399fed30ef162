using System.Diagnostics;
using LeakOperator.TestSupport;

namespace LeakOperator.NodeTests;

/// <summary>
/// `helm uninstall` while LeakTests still exist. Without the chart's pre-delete hook their finalizer outlives the
/// operator: every later delete of them, and of their namespace, hangs for ever.
/// </summary>
[Collection(NodeGroup.Name)]
public sealed class UninstallOnNodeTests(NodeFixture node)
{
    [Fact]
    public async Task Uninstall_releases_and_removes_every_LeakTest_through_the_running_operator()
    {
        var release = await ChartRelease.InstallAsync(node, 3, "uninst", "replicaCount=2");
        var pods = await release.WaitForReadyPodsAsync(2, TimeSpan.FromSeconds(60));
        string ns = await NodeShell.NewNamespaceAsync("uninst");
        await LeakTests.ApplySamplesAsync(ns);
        await Eventually.True(
            async () => (await LeakTests.ListAsync(ns))
                .All(t => t.TryGetProperty("status", out var s) && s.GetProperty("phase").GetString() == "Injecting"),
            "every sample injects",
            TimeSpan.FromSeconds(60));

        var clock = Stopwatch.StartNew();
        await release.UninstallAsync();

        Assert.Empty(await LeakTests.ListAsync(ns));
        Console.WriteLine($"uninstall with 6 LeakTests: {clock.Elapsed.TotalSeconds:0.0} s");
        await NodeShell.KubectlAsync("delete", "namespace", ns, "--timeout=30s");
    }

    [Fact]
    public async Task Uninstall_with_no_operator_running_still_removes_every_LeakTest()
    {
        var release = await ChartRelease.InstallAsync(node, 4, "orphans", "replicaCount=1", "cleanupOnUninstall.timeoutSeconds=5");
        await release.WaitForReadyPodsAsync(1, TimeSpan.FromSeconds(60));
        string ns = await NodeShell.NewNamespaceAsync("orphans");
        await NodeShell.ApplyAsync(ns, LeakTests.Manifest("orphan", "task", "leaky"));
        await Eventually.True(
            async () => (await LeakTests.ListAsync(ns)).Single().GetProperty("metadata").TryGetProperty("finalizers", out _),
            "the operator put its finalizer on",
            TimeSpan.FromSeconds(60));
        await NodeShell.KubectlAsync("scale", "deployment", "-n", ChartRelease.Namespace, "orphans-leak-operator", "--replicas=0");
        await Eventually.True(async () => (await release.PodsAsync()).Count == 0, "the operator is scaled to 0", TimeSpan.FromSeconds(60));

        await release.UninstallAsync();

        Assert.Empty(await LeakTests.ListAsync(ns));
        await NodeShell.KubectlAsync("delete", "namespace", ns, "--timeout=30s");
    }
}
