using System.Globalization;
using LeakOperator.TestSupport;

namespace LeakOperator.NodeTests;

/// <summary>LeakTests asking for far more memory than the budget, in a pod with the chart's memory limit.</summary>
[Collection(NodeGroup.Name)]
public sealed class MemoryOnNodeTests(NodeFixture node)
{
    private const int BudgetMiB = 64;
    private const int LimitMiB = 448;

    [Fact]
    public async Task Memory_far_over_the_budget_is_capped_and_the_pod_is_never_OOM_killed()
    {
        await using var release = await ChartRelease.InstallAsync(node, 4, "memory", $"budget.memoryMiB={BudgetMiB}", $"resources.limits.memory={LimitMiB}Mi");
        var pod = (await release.WaitForReadyPodsAsync(1, TimeSpan.FromSeconds(60))).Single();
        string ns = await NodeShell.NewNamespaceAsync("memory");
        await NodeShell.ApplyAsync(ns, string.Concat(Enumerable.Range(1, 4).Select(i => LeakTests.Manifest($"hog-{i}", "memory", "leaky", rate: 50, maxUnits: 2000))));

        string scrape = "";
        await Eventually.True(
            async () => ChartRelease.Sum(scrape = await ChartRelease.ScrapeAsync(pod) ?? "", "leakoperator_leaked_units", "leak_type=\"memory\"") >= BudgetMiB - 4,
            () => $"the hogs fill the operator-wide budget of {BudgetMiB} MiB; scrape:\n{scrape}",
            TimeSpan.FromSeconds(60),
            TimeSpan.FromSeconds(1));
        await Eventually.True(
            async () => (await LeakTests.ListAsync(ns)).Count(t => t.GetProperty("status").GetProperty("conditions").EnumerateArray()
                .Any(c => c.GetProperty("type").GetString() == "Capped" && c.GetProperty("status").GetString() == "True")) == 4,
            "every hog says it is capped",
            TimeSpan.FromSeconds(60));

        // Ten more seconds at the cap: nothing creeps past it.
        for (int i = 0; i < 10; i++)
        {
            scrape = await ChartRelease.ScrapeAsync(pod) ?? "";
            Assert.True(ChartRelease.Sum(scrape, "leakoperator_leaked_units", "leak_type=\"memory\"") <= BudgetMiB, $"memory stays within the budget:\n{scrape}");
            await Task.Delay(TimeSpan.FromSeconds(1));
        }

        pod = (await release.PodsAsync()).Single();
        Assert.Equal(0, ChartRelease.Restarts(pod));
        double workingSet = new Scrape(scrape).Value("process_working_set_bytes") ?? 0;
        long peak = await PeakCgroupBytesAsync(pod);
        Console.WriteLine($"memory: budget {BudgetMiB} MiB, limit {LimitMiB} MiB; working set {workingSet / 1048576:0} MiB, cgroup peak {peak / 1048576.0:0} MiB");
        Assert.True(peak < LimitMiB * 1048576L * 0.8, $"the container's peak usage {peak / 1048576.0:0} MiB stays well under its {LimitMiB} MiB limit");
        await NodeShell.KubectlAsync("delete", "namespace", ns, "--timeout=60s");
    }

    /// <summary>memory.max_usage_in_bytes of the container's cgroup (v1), found through its process.</summary>
    private static async Task<long> PeakCgroupBytesAsync(System.Text.Json.JsonElement pod)
    {
        int pid = await ChartRelease.ContainerPidAsync(pod);
        string cgroup = (await File.ReadAllLinesAsync($"/proc/{pid}/cgroup")).Single(l => l.Split(':')[1] == "memory").Split(':')[2];
        return long.Parse((await File.ReadAllTextAsync($"/sys/fs/cgroup/memory{cgroup}/memory.max_usage_in_bytes")).Trim(), CultureInfo.InvariantCulture);
    }
}
