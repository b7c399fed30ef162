using System.Globalization;
using System.Text.Json;
using LeakOperator.TestSupport;

namespace LeakOperator.NodeTests;

/// <summary>LeakTests on the node, written as users write them (YAML through kubectl).</summary>
public static class LeakTests
{
    public static string Manifest(string name, string leakType, string mode, int durationSeconds = 300, double? rate = null, long? maxUnits = null) => $"""
        apiVersion: leakoperator.dev/v1alpha1
        kind: LeakTest
        metadata:
          name: {name}
        spec:
          leakType: {leakType}
          mode: {mode}
          durationSeconds: {durationSeconds}
        {(rate is null ? "" : $"  ratePerSecond: {rate.Value.ToString(CultureInfo.InvariantCulture)}\n")}{(maxUnits is null ? "" : $"  maxUnits: {maxUnits}\n")}---

        """;

    /// <summary>The samples users apply (`kubectl apply -f config/samples/`): a leaky and a safe LeakTest of each type.</summary>
    public static Task ApplySamplesAsync(string ns) => NodeShell.KubectlAsync("apply", "-n", ns, "-f", Repository.PathOf("config", "samples"));

    public static string[] SampleNames { get; } = ["memory-leaky", "memory-safe", "task-leaky", "task-safe", "http-conn-leaky", "http-conn-safe"];

    public static async Task<List<JsonElement>> ListAsync(string ns) =>
        [.. (await NodeShell.KubectlJsonAsync("get", "leaktests", "-n", ns)).GetProperty("items").EnumerateArray()];

    /// <summary>Units a pod's scrape reports for one LeakTest.</summary>
    public static double Units(string scrape, string ns, string name) =>
        ChartRelease.Sum(scrape, "leakoperator_leaked_units", $"namespace=\"{ns}\",name=\"{name}\"");
}
