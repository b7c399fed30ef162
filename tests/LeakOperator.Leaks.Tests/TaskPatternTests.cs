using LeakOperator.Diagnostics;
using LeakOperator.Leaks.Injections;
using LeakOperator.Leaks.Tasks.Patterns;
using LeakOperator.TestSupport;

namespace LeakOperator.Leaks.Tests;

/// <summary>
/// Each Stop() failure as a task-leak pattern: in leaky mode the failed stops pile up as units and show in their
/// evidence; in safe mode the same attempts leave nothing behind and the failure's evidence stays at zero.
/// </summary>
public sealed class TaskPatternTests
{
    private const int Steps = 4;
    private const int UnitsPerStep = 10;

    public static TheoryData<TaskPattern, string?, double> Patterns => new()
    {
        // pattern, the evidence that shows the failure (null: the live units are the evidence), share of attempts that must fail
        { TaskPattern.LostStop, StopEvidenceNames.StopsReportedSuccess, 0.9 },
        { TaskPattern.EarlyReturn, null, 0.9 },
        { TaskPattern.DoubleStop, StopEvidenceNames.DoubleCleanups, 0.05 },
        { TaskPattern.TickAfterStop, StopEvidenceNames.TicksAfterStop, 0.5 },
        { TaskPattern.CancelWithoutDispose, null, 0.9 },
    };

    [Theory]
    [MemberData(nameof(Patterns))]
    public async Task Leaky_attempts_leave_failed_stops_behind_and_safe_ones_leave_nothing(TaskPattern pattern, string? failureEvidence, double minShare)
    {
        int attempts = Steps * UnitsPerStep;
        long leaky;
        await using (var harness = new LeakHarness(LeakType.Task, LeakMode.Leaky, pattern: pattern))
        {
            for (int step = 0; step < Steps; step++)
            {
                await harness.Leak.StepAsync(UnitsPerStep, CancellationToken.None);
            }

            FullGc.Collect();
            leaky = harness.Leak.MeasureLive();
            var evidence = harness.Leak.Evidence();
            Assert.Equal(attempts, evidence[StopEvidenceNames.Attempts]);
            Assert.True(leaky >= attempts * minShare, $"{pattern.ToWire()} leaky: only {leaky} of {attempts} stops failed");
            Assert.Equal(leaky, harness.Ledger.Held);
            if (failureEvidence is not null)
            {
                Assert.True(evidence[failureEvidence] >= leaky, $"{pattern.ToWire()}: {failureEvidence} {evidence[failureEvidence]} < {leaky} failed stops");
            }

            await harness.Leak.ReleaseAsync();
            Assert.Equal(0, harness.Leak.MeasureLive());
            Assert.Equal(0, harness.Ledger.Held);
        }

        await using (var harness = new LeakHarness(LeakType.Task, LeakMode.Safe, pattern: pattern))
        {
            for (int step = 0; step < Steps; step++)
            {
                await harness.Leak.StepAsync(UnitsPerStep, CancellationToken.None);
            }

            FullGc.Collect();
            var evidence = harness.Leak.Evidence();
            Assert.Equal(attempts, evidence[StopEvidenceNames.Attempts]);
            Assert.Equal(0, harness.Leak.MeasureLive());
            Assert.Equal(0, harness.Ledger.Held);
            Assert.Equal(attempts, harness.Ledger.Released);
            if (failureEvidence is not null && failureEvidence != StopEvidenceNames.StopsReportedSuccess)
            {
                Assert.Equal(0, evidence[failureEvidence]);
            }
        }
    }

    [Fact]
    public async Task Loops_whose_stop_was_lost_keep_ticking_and_SafeTicker_delivers_nothing_after_Stop()
    {
        await using var leaky = new LeakHarness(LeakType.Task, LeakMode.Leaky, pattern: TaskPattern.LostStop);
        await using var safe = new LeakHarness(LeakType.Task, LeakMode.Safe, pattern: TaskPattern.LostStop);
        await leaky.Leak.StepAsync(5, CancellationToken.None);
        await safe.Leak.StepAsync(5, CancellationToken.None);

        // Five loops at a 20 ms period: hundreds of ticks after their "successful" Stop within seconds.
        await Eventually.True(() => leaky.Leak.Evidence()[StopEvidenceNames.TicksAfterStop] >= 100, () => $"ticks after Stop: {leaky.Leak.Evidence()[StopEvidenceNames.TicksAfterStop]}");
        Assert.Equal(5, safe.Leak.Evidence()[StopEvidenceNames.StopsReportedSuccess]);
        Assert.Equal(0, safe.Leak.Evidence()[StopEvidenceNames.TicksAfterStop]);
    }

    [Fact]
    public async Task Cancelled_but_undisposed_timers_are_counted_by_the_runtime_until_release()
    {
        FullGc.Collect();
        long before = Timer.ActiveCount;
        await using var harness = new LeakHarness(LeakType.Task, LeakMode.Leaky, tickInterval: TimeSpan.FromMinutes(1), pattern: TaskPattern.CancelWithoutDispose);
        await harness.Leak.StepAsync(200, CancellationToken.None);
        FullGc.Collect();
        long held = Timer.ActiveCount - before;
        await harness.Leak.ReleaseAsync();
        FullGc.Collect();
        long afterRelease = Timer.ActiveCount - before;

        // Other timers of the process come and go meanwhile: a margin of a few either way.
        Assert.Equal(200, harness.Leak.Evidence()[StopEvidenceNames.LoopsEnded]);
        Assert.InRange(held, 190, 215);
        Assert.InRange(afterRelease, -5, 5);
    }

    [Fact]
    public void A_pattern_other_than_unstopped_is_refused_for_other_leak_types()
    {
        var spec = InjectionSpec.Default(LeakType.Memory, LeakMode.Leaky) with { TaskPattern = TaskPattern.LostStop };

        Assert.Contains("task pattern lost-stop applies only to leakType task", spec.Validate());
    }
}
