using LeakOperator.Diagnostics;
using LeakOperator.Leaks.Tasks.Patterns;
using Xunit.Abstractions;

namespace LeakOperator.Leaks.Tests;

/// <summary>
/// LeakGuard on the engine's own variants: once the owner is done (its lifetime ended, every stop attempted), the guard
/// fails each leaky variant, naming the leftovers with their count, and passes each safe twin.
/// </summary>
public sealed class LeakGuardOnEngineTests(ITestOutputHelper output)
{
    private const int Units = 100;

    /// <summary>The task patterns whose failure leaves something running, and the owner the guard must name for it.</summary>
    public static TheoryData<TaskPattern, string> LeakingTaskPatterns() => new()
    {
        { TaskPattern.Unstopped, "LeakOperator.Leaks.Tasks.LeakyTaskLeak+TimerLoop.LoopAsync" },
        { TaskPattern.LostStop, "LeakOperator.Leaks.Tasks.StopFailures.LostStopTicker." },
        { TaskPattern.EarlyReturn, "LeakOperator.Leaks.Tasks.StopFailures.EarlyReturnOwner.TickAsync" },
        { TaskPattern.CancelWithoutDispose, "PeriodicTimer (nobody awaiting)" },
    };

    /// <summary>
    /// The two Stop failures that leave nothing running: a double Stop runs its cleanup twice, a tick lands after Stop
    /// returned. They are races, not leftovers; TaskPatternTests catch them by their evidence, and the guard, which
    /// looks for leftovers, rightly finds none in either mode.
    /// </summary>
    public static TheoryData<TaskPattern> RacingTaskPatterns() => [TaskPattern.DoubleStop, TaskPattern.TickAfterStop];

    [Theory]
    [MemberData(nameof(LeakingTaskPatterns))]
    public async Task The_guard_fails_each_leaky_task_pattern_naming_its_loops_and_passes_its_safe_twin(TaskPattern pattern, string owner)
    {
        var leaky = await LeftBehind(LeakType.Task, LeakMode.Leaky, pattern, settle: TimeSpan.FromMilliseconds(200));
        output.WriteLine($"{pattern} leaky ({leaky.Live} live):\n{leaky.Findings.Describe()}");
        var group = leaky.Findings.Timers.FirstOrDefault(g => g.Owner.StartsWith(owner, StringComparison.Ordinal));
        Assert.True(leaky.Live > 0, $"{pattern}: the leaky variant left no units, so there is nothing for the guard to find");
        Assert.True(group is not null && Math.Abs(group.Count - leaky.Live) <= Math.Max(1, leaky.Live * 0.02), $"{pattern}: {leaky.Live} live units, guard said:\n{leaky.Findings.Describe()}");

        var safe = await LeftBehind(LeakType.Task, LeakMode.Safe, pattern, settle: TimeSpan.FromSeconds(2));
        output.WriteLine($"{pattern} safe: {safe.Findings.Describe()} (verified in {safe.Took.TotalMilliseconds:0} ms)");
        Assert.True(safe.Findings.IsEmpty, safe.Findings.Describe());
    }

    [Theory]
    [MemberData(nameof(RacingTaskPatterns))]
    public async Task The_stop_races_leave_nothing_for_the_guard_to_find_in_either_mode(TaskPattern pattern)
    {
        foreach (var mode in new[] { LeakMode.Leaky, LeakMode.Safe })
        {
            var left = await LeftBehind(LeakType.Task, mode, pattern, settle: TimeSpan.FromSeconds(2));
            Assert.True(left.Findings.IsEmpty, $"{pattern} {mode}: {left.Findings.Describe()}");
        }
    }

    [Fact]
    public async Task The_guard_fails_the_leaky_http_connections_by_port_and_passes_the_safe_ones()
    {
        var leaky = await LeftBehind(LeakType.HttpConn, LeakMode.Leaky, TaskPattern.Unstopped, settle: TimeSpan.FromMilliseconds(200));
        output.WriteLine($"http-conn leaky ({leaky.Live} live):\n{leaky.Findings.Describe()}");
        Assert.True(leaky.Live > 0);
        Assert.Equal(leaky.Live, leaky.Findings.HttpConnections.Sum(c => c.Count));
        // Each leaked connection is two sockets here: the client's and the one the loopback sink accepted.
        Assert.True(leaky.Findings.Sockets >= leaky.Live, leaky.Findings.Describe());

        // The safe variant's one pooled connection belongs to the client its owner disposes; the leaky responses sit
        // in a static cache that no owner disposes (only the engine's release, the safety net, evicts them).
        var safe = await LeftBehind(LeakType.HttpConn, LeakMode.Safe, TaskPattern.Unstopped, settle: TimeSpan.FromSeconds(2), ownerDisposes: true);
        Assert.True(safe.Findings.IsEmpty, safe.Findings.Describe());
    }

    [Fact]
    public async Task With_a_heap_limit_the_guard_fails_the_leaky_memory_and_passes_the_bounded_buffer()
    {
        // Memory leaves no timer or socket: only the heap check sees it, so it is opt-in (a heap grows for reasons
        // that are not leaks). The safe buffer keeps one step's worth (5 MiB here); the leaky one keeps all 100 MiB.
        var heapLimit = new LeakGuardOptions { HeapGrowthLimitBytes = 32L * 1024 * 1024 };
        var leaky = await LeftBehind(LeakType.Memory, LeakMode.Leaky, TaskPattern.Unstopped, settle: TimeSpan.FromMilliseconds(200), heapLimit);
        output.WriteLine($"memory leaky ({leaky.Live} MiB live):\n{leaky.Findings.Describe()}");
        Assert.NotNull(leaky.Findings.HeapGrowthBytes);

        var safe = await LeftBehind(LeakType.Memory, LeakMode.Safe, TaskPattern.Unstopped, settle: TimeSpan.FromSeconds(2), new LeakGuardOptions { HeapGrowthLimitBytes = 32L * 1024 * 1024 });
        Assert.True(safe.Findings.IsEmpty, safe.Findings.Describe());
    }

    /// <summary>Runs a variant to <see cref="Units"/> inside a guard, ends its owner (and, when the owner disposes what
    /// it holds, disposes it), and asks the guard what is left; then releases everything, so this test leaves nothing.</summary>
    private static async Task<(LeakFindings Findings, long Live, TimeSpan Took)> LeftBehind(
        LeakType type,
        LeakMode mode,
        TaskPattern pattern,
        TimeSpan settle,
        LeakGuardOptions? options = null,
        bool ownerDisposes = false)
    {
        // The harness (and the loopback sink it listens on) exists before the guard starts: it is the test's fixture.
        await using var harness = new LeakHarness(type, mode, tickInterval: TimeSpan.FromMilliseconds(100), pattern: pattern);
        options ??= new LeakGuardOptions();
        options.SettleTimeout = settle;
        await using var guard = LeakGuard.Start(options);
        await harness.Leak.StepAsync(Units, CancellationToken.None);
        await harness.EndOwnerAsync();
        if (ownerDisposes)
        {
            await harness.Leak.ReleaseAsync();
        }

        long live = harness.Leak.MeasureLive();
        var findings = await guard.FindLeaksAsync();
        return (findings, live, guard.LastVerificationTook);
    }
}
