using LeakOperator.TestSupport;

namespace LeakOperator.IntegrationTests;

/// <summary>The command-line tools the tests drive: Helm 3, Helm 4, kubectl, Prometheus, the Go reference controller.</summary>
public static class Tools
{
    private static readonly Lazy<Task<string[]>> s_helms = new(async () => (await ProvisionAsync("helm-tools.sh")).Split(' '));

    private static readonly Lazy<Task<string>> s_goReference = new(() => ProvisionAsync("go-reference.sh"));

    /// <summary>The Helm binary of a major version (3 or 4), fetched and cached by scripts/helm-tools.sh.</summary>
    public static async Task<string> HelmAsync(int major) => (await s_helms.Value)[major - 3];

    /// <summary>The startup benchmark's Go reference controller (client-go 1.20), built and cached by scripts/go-reference.sh.</summary>
    public static Task<string> GoReferenceAsync() => s_goReference.Value;

    /// <summary>Runs a provisioning script from scripts/; returns the last line it prints (where it put the tool).</summary>
    private static async Task<string> ProvisionAsync(string script)
    {
        var (code, output, error) = await RunAsync("bash", [Repository.PathOf("scripts", script)]);
        Assert.True(code == 0, $"scripts/{script} failed: {error}");
        return output.Trim().Split('\n')[^1];
    }

    public static Task<(int Code, string Output, string Error)> RunAsync(string file, IEnumerable<string> args, string? input = null) =>
        Command.RunAsync(file, args, input);
}
