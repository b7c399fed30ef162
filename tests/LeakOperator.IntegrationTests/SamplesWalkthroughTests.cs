using System.Diagnostics;
using LeakOperator.IntegrationTests.ControlPlane;
using LeakOperator.Operator.Api;
using LeakOperator.TestSupport;

namespace LeakOperator.IntegrationTests;

/// <summary>The README's walkthrough, with kubectl itself: apply the samples, watch them, delete them.</summary>
[Collection(ControlPlaneGroup.Name)]
public sealed class SamplesWalkthroughTests(ControlPlaneFixture fixture)
{
    private static readonly TimeSpan s_deadline = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task Kubectl_apply_of_the_samples_gives_climbing_leaky_tests_and_flat_safe_ones_and_delete_completes()
    {
        await using var bed = await OperatorTestBed.StartAsync(fixture, "samples", "--leader-elect", "false");
        var (ns, objects, op) = bed;

        string applied = await Kubectl("apply", "-f", Repository.PathOf("config", "samples") + "/", "-n", ns);
        Assert.Equal(6, applied.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length);

        var first = new Dictionary<string, long>();
        await Eventually.True(
            async () =>
            {
                foreach (var name in new[] { "memory-leaky", "task-leaky", "http-conn-leaky" })
                {
                    first[name] = (await objects.GetAsync(ns, name))?.Status?.LeakedUnits ?? 0;
                }

                return first.Values.All(units => units > 0);
            },
            "every leaky sample has leaked something",
            s_deadline);
        await Eventually.True(
            async () =>
            {
                foreach (var (name, units) in first)
                {
                    if ((await objects.GetAsync(ns, name))?.Status?.LeakedUnits <= units)
                    {
                        return false;
                    }
                }

                return true;
            },
            "every leaky sample keeps climbing",
            s_deadline);
        foreach (var name in new[] { "memory-safe", "task-safe", "http-conn-safe" })
        {
            var safe = await objects.GetAsync(ns, name);
            Assert.True(safe?.Status is { Phase: LeakTestPhases.Injecting, LeakedUnits: <= 2 }, $"{name}: {safe?.Status?.Phase} holding {safe?.Status?.LeakedUnits}");
        }

        // A verdict needs a few samples, and the safe ones' status refreshes on its own pace: read the table until it shows both.
        string table = "";
        await Eventually.True(
            async () => (table = await Kubectl("get", "lt", "-n", ns)).Contains("Leaking", StringComparison.Ordinal) && table.Contains("Stable", StringComparison.Ordinal),
            () => $"kubectl get lt shows a Leaking and a Stable verdict:\n{table}",
            s_deadline);

        // kubectl delete waits for the finalizer, so returning at all means every test was released.
        await Kubectl("delete", "-f", Repository.PathOf("config", "samples") + "/", "-n", ns, "--timeout=60s");
        Assert.DoesNotContain("leakoperator_leaked_units{", await op.ScrapeAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_scenario_samples_show_each_naive_stop_failing_and_each_SafeTicker_twin_holding_nothing()
    {
        await using var bed = await OperatorTestBed.StartAsync(fixture, "scenarios", "--leader-elect", "false");
        var (ns, objects, op) = bed;
        string dir = Repository.PathOf("config", "samples", "scenarios") + "/";
        string[] patterns = ["lost-stop", "early-return", "double-stop", "tick-after-stop", "cancel-without-dispose"];

        string applied = await Kubectl("apply", "-f", dir, "-n", ns);
        Assert.Equal(10, applied.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length);

        var seen = new Dictionary<string, string>();
        await Eventually.True(
            async () =>
            {
                bool all = true;
                foreach (var pattern in patterns)
                {
                    var leaky = await objects.GetAsync(ns, $"{pattern}-leaky");
                    var safe = await objects.GetAsync(ns, $"{pattern}-safe");
                    seen[pattern] = $"leaky {leaky?.Status?.LeakedUnits} ({leaky?.Status?.Pattern}), "
                        + $"safe {safe?.Status?.LeakedUnits} after {safe?.Status?.Evidence?.GetValueOrDefault("attempts")} attempts";
                    all &= leaky?.Status is { LeakedUnits: >= 5, Pattern: { } p } && p == $"{pattern}-naive"
                        && safe?.Status is { LeakedUnits: 0, Evidence: { } e } && e.GetValueOrDefault("attempts") >= 5;
                }

                return all;
            },
            () => string.Join("; ", seen.Select(s => $"{s.Key}: {s.Value}")),
            s_deadline);

        string wide = await Kubectl("get", "lt", "-n", ns, "-o", "wide");
        Assert.Contains("lost-stop-naive", wide, StringComparison.Ordinal);
        Assert.Contains("lost-stop-safe-ticker", wide, StringComparison.Ordinal);
        await Kubectl("delete", "-f", dir, "-n", ns, "--timeout=60s");
        Assert.DoesNotContain("leakoperator_leaked_units{", await op.ScrapeAsync(), StringComparison.Ordinal);
    }

    private async Task<string> Kubectl(params string[] args)
    {
        var start = new ProcessStartInfo("kubectl", ["--kubeconfig", fixture.Plane.AdminKubeconfig, .. args])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        using var kubectl = Process.Start(start)!;
        string output = await kubectl.StandardOutput.ReadToEndAsync();
        string error = await kubectl.StandardError.ReadToEndAsync();
        await kubectl.WaitForExitAsync();
        Assert.True(kubectl.ExitCode == 0, $"kubectl {string.Join(' ', args)} failed: {error}");
        return output;
    }
}
