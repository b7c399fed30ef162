using LeakOperator.Diagnostics;
using LeakOperator.Diagnostics.Xunit;
using Xunit.Abstractions;

namespace LeakOperator.Diagnostics.Tests;

/// <summary>goleak's options, for .NET: ignore by owner method, type or thread name, pick the checks, and what one
/// verification costs (printed: speed goes in numbers, not timed tests).</summary>
public sealed class OptionTests(ITestOutputHelper output)
{
    [Fact]
    public async Task An_ignored_owner_method_or_type_or_thread_name_is_not_reported_and_the_rest_still_is()
    {
        using var stop = new CancellationTokenSource();
        using var release = new ManualResetEventSlim();
        var byMethod = LeakGuard.Start(o => o.IgnoreOwner($"{typeof(LeftoverKindTests).FullName}.{nameof(LeftoverKindTests.RefreshLoopAsync)}"));
        var byType = LeakGuard.Start(o => o.IgnoreType(typeof(LeftoverKindTests)));
        var byThread = LeakGuard.Start(o => o.IgnoreThread("IgnoredWorkerThreadName"));
        foreach (var guard in new[] { byMethod, byType, byThread })
        {
            guard.GetType(); // started before anything below
        }

        var loop = LeftoverKindTests.RefreshLoopAsync(stop.Token);
        var timer = new Timer(LeftoverKindTests.OnTick, null, TimeSpan.FromHours(1), TimeSpan.FromHours(1));
        var thread = new Thread(() => release.Wait()) { Name = "IgnoredWorkerThreadName", IsBackground = true };
        thread.Start();

        var methodLeft = await byMethod.FindLeaksAsync();
        Assert.Equal([$"{typeof(LeftoverKindTests).FullName}.{nameof(LeftoverKindTests.OnTick)}"], methodLeft.Timers.Select(g => g.Owner));
        Assert.Contains(methodLeft.Threads, t => t.Name == "IgnoredWorkerTh");
        Assert.Empty((await byType.FindLeaksAsync()).Timers);
        var threadLeft = await byThread.FindLeaksAsync();
        Assert.Empty(threadLeft.Threads);
        Assert.Equal(2, threadLeft.TimerCount);

        await timer.DisposeAsync();
        release.Set();
        thread.Join();
        await stop.CancelAsync();
        await loop;
    }

    [Fact]
    public async Task Only_the_chosen_checks_run()
    {
        using var release = new ManualResetEventSlim();
        var timersOnly = LeakGuard.Start(new LeakGuardOptions { Checks = LeakChecks.Timers, SettleTimeout = TimeSpan.FromMilliseconds(100) });
        var thread = new Thread(() => release.Wait()) { Name = "UncheckedThread", IsBackground = true };
        thread.Start();
        await timersOnly.VerifyNoneAsync();
        release.Set();
        thread.Join();
    }

    [Fact]
    public void A_verification_costs_this_much()
    {
        // The cost a guarded test pays when it leaves nothing: a full collection and one reading at start, the same
        // at verification. Printed with an idle process and with 10,000 live timers the process already had.
        foreach (int existing in new[] { 0, 10_000 })
        {
            var timers = Enumerable.Range(0, existing).Select(_ => new Timer(LeftoverKindTests.OnTick, null, TimeSpan.FromHours(1), Timeout.InfiniteTimeSpan)).ToList();
            try
            {
                LeakGuard.Start().VerifyNone(); // first use: JIT and reflection lookups
                var clock = System.Diagnostics.Stopwatch.StartNew();
                const int Rounds = 20;
                for (int i = 0; i < Rounds; i++)
                {
                    LeakGuard.Start().VerifyNone();
                }

                output.WriteLine($"LeakGuard start + verify, nothing left, {existing} timers live: {clock.Elapsed.TotalMilliseconds / Rounds:0.0} ms");
            }
            finally
            {
                timers.ForEach(t => t.Dispose());
            }
        }
    }

    [Fact]
    public void A_guarded_test_that_overlaps_another_fails_with_the_reason_and_an_exempt_one_is_not_verified()
    {
        var attribute = new VerifyNoLeaksAttribute { SettleTimeoutMilliseconds = 100 };
        var method = typeof(OptionTests).GetMethod(nameof(A_guarded_test_that_overlaps_another_fails_with_the_reason_and_an_exempt_one_is_not_verified))!;
        attribute.Before(method);
        attribute.Before(method); // a second test started before the first ended: parallel tests
        var overlap = Assert.Throws<InvalidOperationException>(() => attribute.After(method));
        Assert.Contains("DisableTestParallelization", overlap.Message, StringComparison.Ordinal);
        Assert.Throws<InvalidOperationException>(() => attribute.After(method));

        // One at a time again: a clean test passes, and an exempt one is not verified though it leaks.
        attribute.Before(method);
        attribute.After(method);
        var exempt = typeof(OptionTests).GetMethod(nameof(ExemptLeak), System.Reflection.BindingFlags.NonPublic | System.Reflection.BindingFlags.Static)!;
        attribute.Before(exempt);
        var leaked = new Timer(LeftoverKindTests.OnTick, null, TimeSpan.FromHours(1), TimeSpan.FromHours(1));
        attribute.After(exempt);
        leaked.Dispose();
    }

    [AllowLeaks("stands in for a test whose point is to leak")]
    private static void ExemptLeak()
    {
    }
}
