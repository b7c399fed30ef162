using System.Diagnostics;
using LeakOperator.TestSupport;

namespace LeakOperator.NodeTests;

/// <summary>
/// One real node for the whole test run (scripts/node-up.sh: etcd, kube-apiserver, controller-manager, scheduler,
/// containerd, kubelet and kube-proxy in a network namespace of their own), with the operator's image imported and
/// Helm 3 and 4 and Debian's Prometheus at hand. Torn down (scripts/node-down.sh) when the run ends.
/// </summary>
public sealed class NodeFixture : IAsyncLifetime
{
    public const string Image = "leak-operator";
    public const string Tag = "dev";

    private string[] _helms = [];

    public TimeSpan BringUp { get; private set; }

    /// <summary>The operator's image as an OCI image-layout tar (scripts/operator-image.sh), as imported into the node.</summary>
    public string ImageTar { get; private set; } = "";

    /// <summary>The Helm binary of a major version (3 or 4).</summary>
    public string Helm(int major) => _helms[major - 3];

    public async Task InitializeAsync()
    {
        var watch = Stopwatch.StartNew();
        await ScriptAsync("node-up.sh");
        BringUp = watch.Elapsed;
        ImageTar = await ScriptAsync("operator-image.sh");
        await ScriptAsync("node-import-image.sh", ImageTar);
        _helms = (await ScriptAsync("helm-tools.sh")).Split(' ');
        await ScriptAsync("prometheus.sh");
    }

    public async Task DisposeAsync()
    {
        var watch = Stopwatch.StartNew();
        await ScriptAsync("node-down.sh");
        Console.WriteLine($"node: up in {BringUp.TotalSeconds:0} s, down in {watch.Elapsed.TotalSeconds:0} s");
    }

    /// <summary>Runs a script of scripts/; returns the last line it printed. A fresh machine builds Kubernetes first (up to 18 min).</summary>
    private static async Task<string> ScriptAsync(string script, params string[] args)
    {
        var (code, output, error) = await Command.RunAsync("bash", [Repository.PathOf("scripts", script), .. args], timeout: TimeSpan.FromMinutes(45));
        Assert.True(code == 0, $"scripts/{script} failed: {error}");
        return output.Trim().Split('\n')[^1];
    }
}

[CollectionDefinition(Name)]
public sealed class NodeGroup : ICollectionFixture<NodeFixture>
{
    public const string Name = "real node";
}
