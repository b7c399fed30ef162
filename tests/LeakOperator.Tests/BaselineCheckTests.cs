using LeakOperator.Lab;
using LeakOperator.Leaks;
using LeakOperator.Leaks.Injections;
using LeakOperator.Leaks.Readings;

namespace LeakOperator.Tests;

/// <summary>The lab's after-release verdict: back to baseline, or what was left behind, and exit code 3.</summary>
public sealed class BaselineCheckTests
{
    private const long Mib = 1024 * 1024;
    private static readonly RuntimeReadings s_baseline = new(
        ActiveTimers: 2,
        ThreadPoolThreads: 4,
        ThreadPoolQueueLength: 0,
        GcHeapBytes: 2 * Mib,
        WorkingSetBytes: 80 * Mib,
        OpenSockets: 1,
        HttpClientOpenConnections: 0,
        ServingSockets: 1);

    [Fact]
    public void The_same_readings_with_more_threads_and_working_set_and_a_scraper_connection_are_back_to_baseline()
    {
        var after = s_baseline with { ThreadPoolThreads = 12, WorkingSetBytes = 140 * Mib, ServingSockets = 2, GcHeapBytes = 9 * Mib };

        var check = BaselineCheck.Compare(s_baseline, after);

        Assert.True(check.BackToBaseline, check.Summary);
        Assert.Equal("Back to baseline", check.Summary);
    }

    [Fact]
    public void Each_thing_left_behind_is_named_with_its_numbers()
    {
        var after = s_baseline with { ActiveTimers = 25, OpenSockets = 3, HttpClientOpenConnections = 4, GcHeapBytes = 12 * Mib };

        var check = BaselineCheck.Compare(s_baseline, after);

        Assert.False(check.BackToBaseline);
        Assert.Equal(
            "Not back to baseline: 23 timers more than the baseline (25 against 2); 2 sockets more than the baseline (3 against 1); "
            + "4 HTTP client connections more than the baseline (4 against 0); GC heap 12.0 MiB is 10.0 MiB above the baseline 2.0 MiB (allowance 8.0 MiB)",
            check.Summary);
    }

    [Fact]
    public void Fewer_timers_or_sockets_than_at_the_start_are_back_to_baseline()
    {
        Assert.True(BaselineCheck.Compare(s_baseline, s_baseline with { ActiveTimers = 0, OpenSockets = 0 }).BackToBaseline);
    }

    [Fact]
    public async Task A_lab_run_that_leaves_timers_behind_says_so_and_exits_3()
    {
        // Timers started meanwhile and never stopped: what a leak outside the injections would leave.
        var leftBehind = new List<ITimer>();
        var runner = new LabRunner(new InjectionFactory(new LeakBudget(new LeakBudgetLimits())), new InjectionInventory(), TimeProvider.System);
        var options = LabOptions.Defaults with { Leaks = [LeakType.Task], Duration = TimeSpan.FromSeconds(1), SampleInterval = TimeSpan.FromMilliseconds(200) };

        var report = await runner.RunAsync(
            options,
            (_, _, _) => leftBehind.AddRange(Enumerable.Range(0, 20).Select(_ => TimeProvider.System.CreateTimer(_ => { }, null, TimeSpan.FromHours(1), Timeout.InfiniteTimeSpan))),
            CancellationToken.None);

        try
        {
            Assert.False(report.AfterReleaseCheck.BackToBaseline, report.AfterReleaseCheck.Summary);
            Assert.Contains("timers more than the baseline", report.AfterReleaseCheck.Summary, StringComparison.Ordinal);
            Assert.Equal(ExitCodes.NotBackToBaseline, LabCommand.ExitCodeFor(report));
        }
        finally
        {
            leftBehind.ForEach(t => t.Dispose());
        }
    }
}
