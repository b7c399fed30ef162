using System.Diagnostics;
using LeakOperator.Diagnostics;
using LeakOperator.Leaks.Tasks.Patterns;
using LeakOperator.TestSupport;
using Xunit.Abstractions;

namespace LeakOperator.Leaks.Tests;

/// <summary>
/// The timer dump names the owner of every live timer with the right count: the leaking loop of each leaky task
/// pattern, one SafeTicker per safe twin, and each kind of timer by its callback or its awaiting method.
/// </summary>
public sealed class TimerDumpTests(ITestOutputHelper output)
{
    private const int Units = 200;

    [Fact]
    public void This_runtimes_timer_queues_can_be_read()
    {
        // If a runtime update moves the private fields the dump reads, this fails here rather than degrading silently.
        var dump = TimerDump.Take();
        Assert.True(dump.Supported, dump.Problem);
    }

    /// <summary>The leaky patterns whose units are live timers, and the owner the dump must name for them.</summary>
    public static TheoryData<TaskPattern, string> LeakyPatterns() => new()
    {
        { TaskPattern.Unstopped, "LeakOperator.Leaks.Tasks.LeakyTaskLeak+TimerLoop.LoopAsync" },
        { TaskPattern.EarlyReturn, "LeakOperator.Leaks.Tasks.StopFailures.EarlyReturnOwner.TickAsync" },
        { TaskPattern.LostStop, "LeakOperator.Leaks.Tasks.StopFailures.LostStopTicker." },
        // A cancelled loop is gone; what it leaves is a scheduled PeriodicTimer nobody awaits, which is what the dump says.
        { TaskPattern.CancelWithoutDispose, "PeriodicTimer (nobody awaiting)" },
    };

    [Theory]
    [MemberData(nameof(LeakyPatterns))]
    public async Task Each_leaky_pattern_shows_as_one_group_of_its_loops_and_its_safe_twin_as_one_SafeTicker(TaskPattern pattern, string owner)
    {
        // The dump is of the whole process: what was there before this test is left out by comparing with it.
        var before = TimerDump.Take();
        await using (var leaky = new LeakHarness(LeakType.Task, LeakMode.Leaky, tickInterval: TimeSpan.FromMilliseconds(100), pattern: pattern))
        {
            await leaky.Leak.StepAsync(Units, CancellationToken.None);
            // The leaked units are the loops (or the timers a cancelled loop left scheduled): all of them, in one group.
            long live = 0;
            TimerGroup? group = null;
            await Eventually.True(
                () =>
                {
                    live = leaky.Leak.MeasureLive();
                    group = TimerDump.Take().GrownSince(before).FirstOrDefault(g => g.Owner.StartsWith(owner, StringComparison.Ordinal));
                    return live >= Units * 0.9 && group is not null && Math.Abs(group.Count - live) <= live * 0.02;
                },
                () => $"{pattern}: {live} live units, biggest LeakOperator group {group}\n{TimerDump.Format(TimerDump.Take())}",
                TimeSpan.FromSeconds(20));
            output.WriteLine($"{pattern} leaky: {live} live units; dump: {group}");
        }

        await using var safe = new LeakHarness(LeakType.Task, LeakMode.Safe, tickInterval: TimeSpan.FromMilliseconds(100), pattern: pattern);
        await safe.Leak.StepAsync(Units, CancellationToken.None);
        var safeGroups = TimerDump.Take()
            .GrownSince(before)
            .Where(g => g.Owner.StartsWith("LeakOperator.", StringComparison.Ordinal) || g.Owner.StartsWith("PeriodicTimer", StringComparison.Ordinal))
            .ToList();
        output.WriteLine($"{pattern} safe: {string.Join("; ", safeGroups)}");
        Assert.True(
            safeGroups.Sum(g => g.Count) <= 1 && safeGroups.All(g => g.Owner.StartsWith("LeakOperator.Timing.SafeTicker", StringComparison.Ordinal)),
            $"{pattern} safe: {string.Join("; ", safeGroups)}");
    }

    [Fact]
    public async Task Each_kind_of_timer_is_named_by_who_owns_it()
    {
        using var threading = new Timer(OnThreadingTick, null, TimeSpan.FromHours(1), TimeSpan.FromHours(1));
        using var elapsed = new System.Timers.Timer(TimeSpan.FromHours(1));
        elapsed.Elapsed += OnElapsed;
        elapsed.Start();
        using var stop = new CancellationTokenSource();
        var delaying = DelayAsync(stop.Token);
        using var periodic = new PeriodicTimer(TimeSpan.FromHours(1));
        var ticking = TickAsync(periodic);

        var groups = TimerDump.Take().Groups;
        output.WriteLine(TimerDump.Format(TimerDump.Take()));

        Assert.Contains(
            groups,
            g => g.Kind == "System.Threading.Timer"
                && g.Owner.StartsWith($"{typeof(TimerDumpTests).FullName}.{nameof(OnThreadingTick)}", StringComparison.Ordinal)
                && g.PeriodMilliseconds == 3_600_000);
        Assert.Contains(groups, g => g.Kind == "System.Timers.Timer" && g.Owner.Contains(nameof(OnElapsed), StringComparison.Ordinal));
        Assert.Contains(groups, g => g.Kind == "Task.Delay" && g.Owner == $"{typeof(TimerDumpTests).FullName}.{nameof(DelayAsync)}" && g.PeriodMilliseconds == 0);
        Assert.Contains(groups, g => g.Kind == "PeriodicTimer" && g.Owner == $"{typeof(TimerDumpTests).FullName}.{nameof(TickAsync)}");

        await stop.CancelAsync();
        periodic.Dispose();
        await Task.WhenAll(delaying, ticking);
    }

    /// <summary>What one dump costs with 10,000 live timers (printed, not asserted: speed goes in numbers, not timed tests).</summary>
    [Fact]
    public void A_dump_of_ten_thousand_timers_reports_them_all()
    {
        var timers = Enumerable.Range(0, 10_000).Select(_ => new Timer(OnThreadingTick, null, TimeSpan.FromHours(1), Timeout.InfiniteTimeSpan)).ToList();
        try
        {
            TimerDump.Take();
            var clock = Stopwatch.StartNew();
            var dump = TimerDump.Take();
            clock.Stop();
            var ours = dump.Groups.Single(g => g.Owner.StartsWith($"{typeof(TimerDumpTests).FullName}.{nameof(OnThreadingTick)}", StringComparison.Ordinal) && g.PeriodMilliseconds == 0);
            Assert.Equal(10_000, ours.Count);
            output.WriteLine($"dump of {dump.Total} timers: {clock.Elapsed.TotalMilliseconds:0.0} ms");
        }
        finally
        {
            timers.ForEach(t => t.Dispose());
        }
    }

    private static void OnThreadingTick(object? state)
    {
    }

    private static void OnElapsed(object? sender, System.Timers.ElapsedEventArgs e)
    {
    }

    private static async Task DelayAsync(CancellationToken cancellationToken)
    {
        try
        {
            await Task.Delay(TimeSpan.FromHours(1), cancellationToken);
        }
        catch (OperationCanceledException)
        {
        }
    }

    private static async Task TickAsync(PeriodicTimer timer)
    {
        while (await timer.WaitForNextTickAsync())
        {
        }
    }
}
