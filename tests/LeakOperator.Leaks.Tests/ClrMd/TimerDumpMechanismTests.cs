using System.Diagnostics;
using LeakOperator.Diagnostics;
using LeakOperator.Leaks.Tasks.Patterns;
using LeakOperator.TestSupport;
using Xunit.Abstractions;

namespace LeakOperator.Leaks.Tests.ClrMd;

/// <summary>
/// The two mechanisms #17 asked to compare, measured the same way: reading the runtime's timer queues in-process
/// (<see cref="TimerDump"/>, what ships) and a self-dump read with ClrMD. Both must count every leaking task pattern's
/// loops under the right owner (± 2 %); what each call costs with 10,000 timers is printed, not asserted.
/// </summary>
public sealed class TimerDumpMechanismTests(ITestOutputHelper output)
{
    private const int Units = 200;

    public static TheoryData<TaskPattern, string> LeakingPatterns() => new()
    {
        { TaskPattern.Unstopped, "LeakOperator.Leaks.Tasks.LeakyTaskLeak+TimerLoop.LoopAsync" },
        { TaskPattern.LostStop, "LeakOperator.Leaks.Tasks.StopFailures.LostStopTicker.RunAsync" },
        { TaskPattern.EarlyReturn, "LeakOperator.Leaks.Tasks.StopFailures.EarlyReturnOwner.TickAsync" },
        { TaskPattern.CancelWithoutDispose, "PeriodicTimer (nobody awaiting)" },
    };

    [Theory]
    [MemberData(nameof(LeakingPatterns))]
    public async Task Both_mechanisms_count_each_leaking_pattern_under_its_owner(TaskPattern pattern, string owner)
    {
        var reflectionBefore = TimerDump.Take();
        var clrMdBefore = ClrMdTimerDump.Take();
        await using var leaky = new LeakHarness(LeakType.Task, LeakMode.Leaky, tickInterval: TimeSpan.FromMilliseconds(100), pattern: pattern);
        await leaky.Leak.StepAsync(Units, CancellationToken.None);
        long live = leaky.Leak.MeasureLive();

        // The in-process reading is an instant of live loops: a loop whose tick is queued on the thread pool is, at that
        // instant, awaiting nothing, and counts under no owner (a lab beside this test on 2 cores once left 5 of 200
        // so). It is read again until every loop is back at its await, within a deadline.
        int Reflection() => CountOf(TimerDump.Take().Groups, owner) - CountOf(reflectionBefore.Groups, owner);
        var settled = await Eventually.Within(() => new[] { Reflection() }, r => r[0] >= live * 0.98 && r[0] <= live * 1.02, TimeSpan.FromSeconds(5));
        int reflection = settled?[0] ?? Reflection();
        int clrMd = CountOf(ClrMdTimerDump.Take(), owner) - CountOf(clrMdBefore, owner);
        output.WriteLine($"{pattern}: {live} live; in-process reading {reflection}, ClrMD self-dump {clrMd}");
        Assert.InRange(reflection, live * 0.98, live * 1.02);
        Assert.InRange(clrMd, live * 0.98, live * 1.02);
    }

    [Fact]
    public void What_one_call_costs_with_ten_thousand_timers()
    {
        var timers = Enumerable.Range(0, 10_000).Select(_ => new Timer(static _ => { }, null, TimeSpan.FromHours(1), Timeout.InfiniteTimeSpan)).ToList();
        try
        {
            TimerDump.Take();
            ClrMdTimerDump.Take();
            var reflection = Time(() => TimerDump.Take().Total, rounds: 20);
            var clrMd = Time(() => ClrMdTimerDump.Take().Sum(g => g.Count), rounds: 3);
            output.WriteLine(
                $"10,000 timers: in-process reading {reflection.TotalMilliseconds:0.0} ms per call; "
                + $"ClrMD self-dump {clrMd.TotalMilliseconds:0} ms per call (the process is suspended while createdump writes it)");
        }
        finally
        {
            timers.ForEach(t => t.Dispose());
        }
    }

    private static int CountOf(IEnumerable<TimerGroup> groups, string owner) => groups.Where(g => g.Owner == owner).Sum(g => g.Count);

    private static TimeSpan Time(Func<long> dump, int rounds)
    {
        var clock = Stopwatch.StartNew();
        for (int i = 0; i < rounds; i++)
        {
            dump();
        }

        return clock.Elapsed / rounds;
    }
}
