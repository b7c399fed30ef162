using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using LeakOperator.TestSupport;

namespace LeakOperator.NodeTests;

/// <summary>
/// The chart as shipped (charts/leak-operator), installed by Helm on the real node with the image built from this
/// checkout; uninstalled on dispose. One release at a time: every operator watches LeakTests in all namespaces.
/// </summary>
public sealed class ChartRelease : IAsyncDisposable
{
    public const string Namespace = "leak-operator-system";

    private readonly NodeFixture _node;
    private readonly int _helm;
    private bool _uninstalled;

    private ChartRelease(NodeFixture node, int helm, string name)
    {
        _node = node;
        _helm = helm;
        Name = name;
    }

    public string Name { get; }

    public string Selector => $"app.kubernetes.io/instance={Name},app.kubernetes.io/component=manager";

    public static async Task<ChartRelease> InstallAsync(NodeFixture node, int helm, string name, params string[] settings)
    {
        var release = new ChartRelease(node, helm, name);
        string[] values = [$"image.repository={NodeFixture.Image}", $"image.tag={NodeFixture.Tag}", .. settings];
        string[] sets = [.. values.SelectMany(s => new[] { "--set", s })];
        await NodeShell.OkAsync([node.Helm(helm), "install", name, Repository.PathOf("charts", "leak-operator"), "--namespace", Namespace, "--create-namespace", .. sets]);
        return release;
    }

    /// <summary>The release's operator pods (not the cleanup hook's).</summary>
    public async Task<List<JsonElement>> PodsAsync() =>
        [.. (await NodeShell.KubectlJsonAsync("get", "pods", "-n", Namespace, "-l", Selector)).GetProperty("items").EnumerateArray()
            .Where(p => !p.GetProperty("metadata").TryGetProperty("deletionTimestamp", out _))];

    /// <summary>Waits until <paramref name="count"/> pods are Running and Ready; returns them.</summary>
    public async Task<List<JsonElement>> WaitForReadyPodsAsync(int count, TimeSpan deadline)
    {
        List<JsonElement> pods = [];
        await Eventually.True(
            async () => (pods = await PodsAsync()).Count == count && pods.All(IsReady),
            () => $"{count} pods of {Name} Running and Ready; now: {string.Join("; ", pods.Select(Describe))}",
            deadline,
            TimeSpan.FromMilliseconds(500));
        return pods;
    }

    /// <summary>The lease holder's identity (the pod name of the leader), or "" when the lease is free.</summary>
    public static async Task<string> LeaderAsync()
    {
        var (code, output, _) = await NodeShell.RunAsync(["kubectl", "get", "lease", "leak-operator-leader", "-n", Namespace, "-o", "jsonpath={.spec.holderIdentity}"]);
        return code == 0 ? output.Trim() : "";
    }

    public static string PodName(JsonElement pod) => pod.GetProperty("metadata").GetProperty("name").GetString()!;

    /// <summary>The pod's IP; null while it has none (just scheduled).</summary>
    public static string? PodIp(JsonElement pod) => pod.GetProperty("status").TryGetProperty("podIP", out var ip) ? ip.GetString() : null;

    public static int Restarts(JsonElement pod) =>
        pod.GetProperty("status").GetProperty("containerStatuses").EnumerateArray().Sum(c => c.GetProperty("restartCount").GetInt32());

    public static bool IsReady(JsonElement pod) =>
        pod.GetProperty("status").TryGetProperty("conditions", out var conditions)
        && conditions.EnumerateArray().Any(c => c.GetProperty("type").GetString() == "Ready" && c.GetProperty("status").GetString() == "True");

    /// <summary>A pod's /metrics on its own IP (the chart's port 8080), from inside the node; null if it does not answer.</summary>
    public static async Task<string?> ScrapeAsync(JsonElement pod) => PodIp(pod) is { } ip ? await NodeShell.GetAsync($"http://{ip}:8080/metrics") : null;

    /// <summary>Sum of a series family in a scrape, over the series whose labels contain <paramref name="labelMatch"/>.</summary>
    public static double Sum(string scrape, string metric, string labelMatch = "") => new Scrape(scrape).Sum(metric, labelMatch);

    /// <summary>The host pid of the pod's one container (containerd's task), found by its container ID.</summary>
    public static async Task<int> ContainerPidAsync(JsonElement pod)
    {
        string id = pod.GetProperty("status").GetProperty("containerStatuses")[0].GetProperty("containerID").GetString()!;
        id = id["containerd://".Length..];
        string tasks = await NodeShell.OkAsync("ctr", "tasks", "ls");
        var match = Regex.Match(tasks, $@"(?m)^{id}\s+(\d+)\s+RUNNING");
        Assert.True(match.Success, $"containerd runs no task {id}:\n{tasks}");
        return int.Parse(match.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);
    }

    public static Task<string> LogsAsync(string pod) => NodeShell.KubectlAsync("logs", "-n", Namespace, pod);

    /// <summary>helm uninstall, then every pod of the namespace gone; fails the test if they linger.</summary>
    public Task UninstallAsync() => UninstallAsync(strict: true);

    /// <summary>
    /// Cleanup, not an assertion: uninstalls as <see cref="UninstallAsync()"/> does, but pods that linger (seen twice,
    /// after the dashboard test, cause not found yet) are reported on the console and then force-deleted with their ReplicaSet, so the
    /// next test never finds a second operator watching every namespace, and the test's own failure is not hidden.
    /// </summary>
    public async ValueTask DisposeAsync()
    {
        if (!_uninstalled)
        {
            await UninstallAsync(strict: false);
        }
    }

    private async Task UninstallAsync(bool strict)
    {
        _uninstalled = true;
        await NodeShell.OkAsync(_node.Helm(_helm), "uninstall", Name, "--namespace", Namespace, "--wait", "--timeout", "2m");
        if (await PodsGoneAsync(TimeSpan.FromSeconds(60)) is not { } lingering)
        {
            return;
        }

        string diagnosis = $"the pods of {Name} linger after helm uninstall:\n{lingering}";
        Assert.False(strict, diagnosis);
        Console.WriteLine(diagnosis);
        await NodeShell.RunAsync(["kubectl", "delete", "deploy,rs,pods", "-n", Namespace, "-l", $"app.kubernetes.io/instance={Name}", "--grace-period=0", "--force"]);
        Assert.True(await PodsGoneAsync(TimeSpan.FromSeconds(30)) is null, $"{diagnosis}\nand are still there after a forced delete");
    }

    /// <summary>Null once no pod is left in the namespace; else what is left (deployments, replica sets, pods, jobs).</summary>
    private static async Task<string?> PodsGoneAsync(TimeSpan deadline)
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        while (true)
        {
            if ((await NodeShell.KubectlAsync("get", "pods", "-n", Namespace, "-o", "name")).Trim().Length == 0)
            {
                return null;
            }

            if (clock.Elapsed > deadline)
            {
                return (await NodeShell.RunAsync(["kubectl", "get", "deploy,rs,pods,jobs", "-n", Namespace, "-o", "wide"])).Output
                    + (await NodeShell.RunAsync(["kubectl", "get", "pods", "-n", Namespace, "-o", "yaml"])).Output;
            }

            await Task.Delay(500);
        }
    }

    private static string Describe(JsonElement pod) =>
        $"{PodName(pod)} {pod.GetProperty("status").GetProperty("phase").GetString()} ready={IsReady(pod)}";
}
