using System.Text.Json;
using LeakOperator.TestSupport;

namespace LeakOperator.NodeTests;

/// <summary>
/// Commands run inside the real node's network and mount namespaces (scripts/node-exec.sh), where its API server,
/// pods and service IPs are: kubectl, helm, curl, Prometheus. Nothing of the node is reachable from the host's network.
/// </summary>
public static class NodeShell
{
    private static readonly string s_exec = Repository.PathOf("scripts", "node-exec.sh");

    public static Task<(int Code, string Output, string Error)> RunAsync(IEnumerable<string> args, TimeSpan? timeout = null, string? input = null) =>
        Command.RunAsync(s_exec, args, input, timeout);

    /// <summary>Runs a command inside the node; fails the test unless it exits 0; returns its output.</summary>
    public static async Task<string> OkAsync(params string[] args)
    {
        var (code, output, error) = await RunAsync(args);
        Assert.True(code == 0, $"inside the node, '{string.Join(' ', args)}' exited {code}: {error}{output}");
        return output;
    }

    public static Task<string> KubectlAsync(params string[] args) => OkAsync(["kubectl", .. args]);

    /// <summary>kubectl apply of manifests given as text.</summary>
    public static async Task ApplyAsync(string ns, string manifests)
    {
        var (code, output, error) = await RunAsync(["kubectl", "apply", "-n", ns, "-f", "-"], input: manifests);
        Assert.True(code == 0, $"kubectl apply: {error}{output}");
    }

    /// <summary>A process that goes on inside the node (kubectl logs -f, Prometheus) until disposed.</summary>
    public static OperatorProcess Start(params string[] args) => OperatorProcess.StartExecutable(s_exec, args);

    /// <summary>A fresh namespace for one test.</summary>
    public static async Task<string> NewNamespaceAsync(string prefix)
    {
        string name = $"{prefix}-{Guid.NewGuid():N}"[..(prefix.Length + 7)];
        await KubectlAsync("create", "namespace", name);
        return name;
    }

    /// <summary>kubectl ... -o json, parsed.</summary>
    public static async Task<JsonElement> KubectlJsonAsync(params string[] args)
    {
        using var document = JsonDocument.Parse(await KubectlAsync([.. args, "-o", "json"]));
        return document.RootElement.Clone();
    }

    /// <summary>An HTTP GET from inside the node (a pod IP, a service IP); null when it does not answer 2xx.</summary>
    public static async Task<string?> GetAsync(string url)
    {
        // A pod that just went away does not refuse: its address is simply gone. Give up on it fast.
        var (code, output, _) = await RunAsync(["curl", "-sf", "--connect-timeout", "1", "--max-time", "5", url], TimeSpan.FromSeconds(15));
        return code == 0 ? output : null;
    }
}
