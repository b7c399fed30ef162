using System.Runtime.CompilerServices;
using LeakOperator.Diagnostics;

namespace LeakOperator.Leaks.Tests;

/// <summary>
/// What the .NET runtime really does with timers and awaits nobody ends — checked here, not taken on trust, because
/// the leak variants are built on these facts.
/// </summary>
public sealed class RuntimeBehaviourTests
{
    private static readonly TaskCompletionSource s_neverCompleted = new();

    [Fact]
    public void An_unreferenced_threading_timer_whose_callback_does_not_reach_it_is_collected()
    {
        var timer = StartOrphanTimer(static _ => { });
        FullGc.Collect();
        Assert.False(timer.TryGetTarget(out _));
    }

    [Fact]
    public void The_one_argument_Timer_constructor_keeps_itself_alive()
    {
        var timer = StartSelfStateTimer();
        FullGc.Collect();
        Assert.True(timer.TryGetTarget(out var alive));
        alive.Dispose();
    }

    [Fact]
    public void A_periodic_timer_nobody_awaits_is_collected()
    {
        var timer = StartIdlePeriodicTimer();
        FullGc.Collect();
        Assert.False(timer.TryGetTarget(out _));
    }

    [Fact]
    public async Task A_cancelled_periodic_timer_that_is_still_held_stays_scheduled_until_disposed()
    {
        FullGc.Collect();
        long before = Timer.ActiveCount;
        using var cancel = new CancellationTokenSource();
        var timers = Enumerable.Range(0, 1000).Select(_ => new PeriodicTimer(TimeSpan.FromSeconds(1))).ToList();
        var loops = timers.Select(t => RunUntilCancelled(t, cancel.Token)).ToList();

        await cancel.CancelAsync();
        await Task.WhenAll(loops);
        FullGc.Collect();
        long cancelledButHeld = Timer.ActiveCount - before;

        timers.ForEach(t => t.Dispose());
        long disposed = Timer.ActiveCount - before;

        // Other timers of the process come and go meanwhile: a margin of a few either way.
        Assert.InRange(cancelledButHeld, 990, 1015);
        Assert.InRange(disposed, -10, 10);
    }

    [Fact]
    public void An_await_on_a_long_lived_root_survives_a_GC_and_one_on_a_local_source_does_not()
    {
        var rooted = AwaitForever(() => s_neverCompleted.Task);
        var local = AwaitForever(() => new TaskCompletionSource().Task);
        FullGc.Collect();

        Assert.True(rooted.TryGetTarget(out _), "awaiting a static TaskCompletionSource keeps the awaiting method's state alive");
        Assert.False(local.TryGetTarget(out _), "awaiting a local TaskCompletionSource that nothing else holds is collected");
    }

    [Fact]
    public void A_delay_bound_to_a_long_lived_token_survives_and_one_without_a_token_is_collected()
    {
        using var longLived = new CancellationTokenSource();
        var withToken = AwaitForever(() => Task.Delay(Timeout.Infinite, longLived.Token));
        var withoutToken = AwaitForever(() => Task.Delay(Timeout.Infinite));
        FullGc.Collect();

        Assert.True(withToken.TryGetTarget(out _), "the token's registration roots the delay and its awaiter");
        Assert.False(withoutToken.TryGetTarget(out _));
        longLived.Cancel();
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static WeakReference<Timer> StartOrphanTimer(TimerCallback callback) =>
        new(new Timer(callback, null, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(1)));

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static WeakReference<Timer> StartSelfStateTimer()
    {
        var timer = new Timer(static _ => { });
        timer.Change(TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(1));
        return new WeakReference<Timer>(timer);
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static WeakReference<PeriodicTimer> StartIdlePeriodicTimer() => new(new PeriodicTimer(TimeSpan.FromSeconds(1)));

    private static async Task RunUntilCancelled(PeriodicTimer timer, CancellationToken cancel)
    {
        try
        {
            while (await timer.WaitForNextTickAsync(cancel))
            {
            }
        }
        catch (OperationCanceledException)
        {
            // The loop ends; the timer it read from does not.
        }
    }

    /// <summary>
    /// Starts an async method that holds a marker across an await of a task that never ends. The task is made in here,
    /// not by the caller, so no caller's stack slot keeps it reachable (Debug builds keep temporaries alive).
    /// </summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static WeakReference<object> AwaitForever(Func<Task> makeNever)
    {
        var marker = new object();
        _ = Hold(marker, makeNever());
        return new WeakReference<object>(marker);

        static async Task Hold(object marker, Task never)
        {
            await never;
            GC.KeepAlive(marker);
        }
    }
}
