using System.Diagnostics;
using System.Globalization;
using System.Text;
using LeakOperator.IntegrationTests.ControlPlane;
using LeakOperator.Operator.Api;
using LeakOperator.TestSupport;
using Xunit.Abstractions;

namespace LeakOperator.IntegrationTests;

/// <summary>
/// Issue #19's steady state, beside the Go peer doing the same work (benchmarks/go-reference with -finalizer -events,
/// and its one status write per object): each in turn, on the same API server, first idle with no LeakTest of its own (its RSS once started), then
/// holding 1,000 safe task LeakTests for LEAKOPERATOR_STEADY_MINUTES (default 10) after all are observed: its CPU in
/// that window and its RSS at the end. Printed, not asserted; too long for `make test` (Duration=Long), run by
/// `make bench`.
/// </summary>
[Collection(ControlPlaneGroup.Name)]
[Trait("Category", "Benchmark")]
[Trait("Duration", "Long")]
public sealed class SteadyStateBesideGoReferenceTests(ControlPlaneFixture fixture, ITestOutputHelper output)
{
    private static readonly TimeSpan s_window = TimeSpan.FromMinutes(double.Parse(Environment.GetEnvironmentVariable("LEAKOPERATOR_STEADY_MINUTES") ?? "10", CultureInfo.InvariantCulture));

    [Fact]
    public async Task LeakOperator_and_the_Go_peer_idle_and_then_hold_a_thousand_LeakTests()
    {
        string reference = await Tools.GoReferenceAsync();
        var leakOperator = await MeasureAsync(isGo: false, reference);
        var go = await MeasureAsync(isGo: true, reference);

        string minutes = s_window.TotalMinutes.ToString("0", CultureInfo.InvariantCulture);
        var text = new StringBuilder();
        text.AppendLine(
            CultureInfo.InvariantCulture,
            $"Steady state, each in turn on one API server "
            + $"(LeakOperator: the {(OperatorProcess.NativeBinary is null ? "JIT" : "NativeAOT")} build; "
            + $"the Go peer: the reference with -finalizer -events):");
        text.AppendLine();
        text.AppendLine(CultureInfo.InvariantCulture, $"| controller | idle RSS, no LeakTest of its own | RSS after {minutes} min holding 1,000 | CPU in those {minutes} min |");
        text.AppendLine("|---|---:|---:|---:|");
        foreach (var (name, m) in new[] { ("LeakOperator", leakOperator), ("Go peer", go) })
        {
            text.AppendLine(CultureInfo.InvariantCulture, $"| {name} | {m.IdleBytes / 1048576.0:0} MiB | {m.HoldingBytes / 1048576.0:0} MiB | {m.WindowCpu.TotalSeconds:0.0} s |");
        }

        text.AppendLine(
            CultureInfo.InvariantCulture,
            $"| LeakOperator / Go | {leakOperator.IdleBytes / (double)go.IdleBytes:0.00}x "
            + $"| {leakOperator.HoldingBytes / (double)go.HoldingBytes:0.00}x | {leakOperator.WindowCpu / go.WindowCpu:0.00}x |");
        output.WriteLine(text.ToString());
        ReadmeFigures.WriteInto("steady-state-figures", text.ToString());
        Assert.True(leakOperator.HoldingBytes > 0 && go.HoldingBytes > 0);
    }

    private async Task<Measured> MeasureAsync(bool isGo, string reference)
    {
        string identity = $"steady-{Guid.NewGuid():N}"[..20];
        await using var op = isGo ? null : await RunningOperator.StartAsync(fixture, identity, "--leader-elect", "false", "--workers", "4");
        await using var go = isGo
            ? OperatorProcess.StartExecutable(reference, ["-kubeconfig", fixture.Plane.OperatorKubeconfig, "-workers", "4", "-finalizer", LeakTest.Finalizer, "-events"])
            : null;
        var process = op?.Process ?? go!;

        // Idle: started (ready, for LeakOperator) with nothing of its own to do; 5 s for the start's garbage to go.
        await Task.Delay(TimeSpan.FromSeconds(5));
        long idle = process.ResidentBytes;

        await using var existing = await ExistingLeakTests.CreateAsync(fixture, "steady");
        var observation = await existing.WatchUntilObservedAsync(Stopwatch.StartNew(), TimeSpan.FromSeconds(180), output);
        Assert.True(observation.Pending.Count == 0, $"{observation.Pending.Count} LeakTests not observed");
        var cpuBefore = process.CpuTime;
        await Task.Delay(s_window);
        return new Measured(idle, process.ResidentBytes, process.CpuTime - cpuBefore);
    }

    private sealed record Measured(long IdleBytes, long HoldingBytes, TimeSpan WindowCpu);
}
