using System.Diagnostics;
using LeakOperator.Diagnostics;
using LeakOperator.Leaks.Tasks.StopFailures;
using LeakOperator.Timing;

namespace LeakOperator.Leaks.Tests;

/// <summary>
/// The write-up's Stop() failures: each naive ticker fails its test reliably, and SafeTicker passes the same test.
/// </summary>
public sealed class StopFailureTests
{
    private static readonly TimeSpan s_fast = TimeSpan.FromMilliseconds(2);

    [Fact]
    public async Task Lost_stop_signal_the_naive_loop_runs_on_after_a_successful_Stop_and_SafeTicker_stops()
    {
        // Deterministic: Stop is called while the handler is inside a tick, held there by a gate.
        var naiveGate = new TickGate();
        var naive = new LostStopTicker(s_fast, () => naiveGate.OnTick());
        await naiveGate.Entered.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.True(naive.Stop());
        naiveGate.Release();
        long atStop = naive.Ticks;
        await WaitUntil(() => naive.Ticks > atStop + 5);
        Assert.False(naive.Loop.IsCompleted, "the naive loop stopped although its stop signal was dropped");
        naive.Kill();

        var safeGate = new TickGate();
        using var safe = new SafeTicker(s_fast, _ => safeGate.OnTick());
        await safeGate.Entered.WaitAsync(TimeSpan.FromSeconds(10));
        var stopping = Task.Run(safe.Stop);
        safeGate.Release();
        Assert.True(await stopping.WaitAsync(TimeSpan.FromSeconds(10)));
        long safeAtStop = safe.Ticks;
        await Task.Delay(50);
        Assert.Equal(safeAtStop, safe.Ticks);
    }

    /// <summary>Holds the first tick inside the handler until released; later ticks pass straight through.</summary>
    private sealed class TickGate
    {
        private readonly TaskCompletionSource _entered = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly TaskCompletionSource _release = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public Task Entered => _entered.Task;

        /// <summary>Holds the first tick until released; true for that tick only.</summary>
        public bool OnTick()
        {
            if (!_entered.TrySetResult())
            {
                return false;
            }

            _release.Task.Wait();
            return true;
        }

        public void Release() => _release.TrySetResult();
    }

    [Fact]
    public async Task Stop_skipped_on_an_early_return_leaves_timers_behind_and_the_lifetime_bound_ticker_does_not()
    {
        FullGc.Collect();
        long before = Timer.ActiveCount;
        var started = new List<PeriodicTimer>();
        for (int i = 0; i < 200; i++)
        {
            await EarlyReturnOwner.ReconcileNaivelyAsync(fail: i % 2 == 0, TimeSpan.FromMinutes(1), (ticker, _) => started.Add(ticker));
        }

        FullGc.Collect();
        long leftByNaive = Timer.ActiveCount - before;

        // What the naive reconciles left is this test's to clean up: the next test counts from here (LeakGuard checks).
        started.ForEach(ticker => ticker.Dispose());

        before = Timer.ActiveCount;
        for (int i = 0; i < 200; i++)
        {
            using var reconcile = new CancellationTokenSource();
            await EarlyReturnOwner.ReconcileSafelyAsync(fail: i % 2 == 0, TimeSpan.FromMinutes(1), reconcile.Token);
        }

        FullGc.Collect();
        long leftBySafe = Timer.ActiveCount - before;

        Assert.InRange(leftByNaive, 95, 115);
        Assert.InRange(leftBySafe, -5, 5);
    }

    [Fact]
    public async Task Double_stop_runs_cleanup_twice_in_the_naive_ticker_and_exactly_once_in_SafeTicker()
    {
        long liveBefore = DoubleStopTicker.Live;
        int torn = 0;
        for (int i = 0; i < 200; i++)
        {
            var naive = new DoubleStopTicker(TimeSpan.FromMinutes(1));
            await StopFromManyThreads(naive.Stop);
            torn += naive.Cleanups > 1 ? 1 : 0;
        }

        Assert.True(torn >= 20, $"only {torn} of 200 naive double stops tore state");
        Assert.True(DoubleStopTicker.Live < liveBefore, "the naive live count went below the truth");

        int closedTwice = 0;
        for (int i = 0; i < 200; i++)
        {
            int closes = 0;
            var safe = new SafeTicker(TimeSpan.FromMinutes(1), static _ => { }, onClosed: () => Interlocked.Increment(ref closes));
            await StopFromManyThreads(() => { safe.Stop(); safe.Dispose(); });
            closedTwice += closes != 1 ? 1 : 0;
        }

        Assert.Equal(0, closedTwice);
    }

    [Fact]
    public async Task Ticks_after_Stop_reach_the_naive_handler_and_never_SafeTicker_s()
    {
        Assert.Equal(1, await CountTicksAfterStop(onTick => new NaiveStopper(new TickAfterStopTicker(s_fast, onTick))));
        Assert.Equal(0, await CountTicksAfterStop(onTick => new SafeStopper(new SafeTicker(s_fast, _ => onTick()))));
    }

    [Fact]
    public async Task Cancelled_but_not_disposed_timers_stay_scheduled_and_SafeTicker_s_lifetime_cancel_removes_them()
    {
        FullGc.Collect();
        long before = Timer.ActiveCount;
        var naive = Enumerable.Range(0, 500).Select(_ => new CancelWithoutDispose(TimeSpan.FromMinutes(1))).ToList();
        naive.ForEach(n => n.Cancel());
        await Task.WhenAll(naive.Select(n => n.Loop));
        FullGc.Collect();
        long heldAfterCancel = Timer.ActiveCount - before;
        naive.ForEach(n => n.Timer.Dispose());

        before = Timer.ActiveCount;
        using var owner = new CancellationTokenSource();
        var safe = Enumerable.Range(0, 500).Select(_ => new SafeTicker(TimeSpan.FromMinutes(1), static _ => { }, lifetime: owner.Token)).ToList();
        await owner.CancelAsync();
        FullGc.Collect();
        long safeAfterCancel = Timer.ActiveCount - before;

        // Other timers of the process come and go meanwhile: a margin of a few either way.
        Assert.InRange(heldAfterCancel, 490, 515);
        Assert.InRange(safeAfterCancel, -5, 5);
        Assert.All(safe, t => Assert.Equal(TickerState.Closed, t.State));
    }

    /// <summary>
    /// Deterministic: a tick is held inside the handler while another thread calls Stop; then the tick is let go.
    /// Returns how many handler runs went on after Stop had returned.
    /// </summary>
    private static async Task<int> CountTicksAfterStop(Func<Action, IStopper> start)
    {
        int stopReturned = 0;
        int violations = 0;
        int heldTickDone = 0;
        var gate = new TickGate();
        var stopper = start(() =>
        {
            // Only the held tick counts: a plain timer may run another callback beside it meanwhile.
            if (!gate.OnTick())
            {
                return;
            }

            if (Volatile.Read(ref stopReturned) == 1)
            {
                Interlocked.Increment(ref violations);
            }

            Volatile.Write(ref heldTickDone, 1);
        });
        await gate.Entered.WaitAsync(TimeSpan.FromSeconds(10));
        var stopping = Task.Run(() =>
        {
            stopper.Stop();
            Volatile.Write(ref stopReturned, 1);
        });

        // A naive Stop returns at once; a correct one waits for the tick it is holding.
        await Task.WhenAny(stopping, Task.Delay(100));
        gate.Release();
        await stopping.WaitAsync(TimeSpan.FromSeconds(10));
        await WaitUntil(() => Volatile.Read(ref heldTickDone) == 1);
        stopper.Dispose();
        return violations;
    }

    private static async Task StopFromManyThreads(Action stop)
    {
        using var go = new ManualResetEventSlim();
        var threads = Enumerable.Range(0, 4).Select(_ => Task.Factory.StartNew(() => { go.Wait(); stop(); }, TaskCreationOptions.LongRunning)).ToList();
        go.Set();
        await Task.WhenAll(threads);
    }

    private static async Task WaitUntil(Func<bool> condition)
    {
        var watch = Stopwatch.StartNew();
        while (!condition())
        {
            Assert.True(watch.Elapsed < TimeSpan.FromSeconds(10), "condition not met before the deadline");
            await Task.Delay(1);
        }
    }

    private interface IStopper : IDisposable
    {
        void Stop();

        void Reset();
    }

    private sealed class NaiveStopper(TickAfterStopTicker ticker) : IStopper
    {
        public void Stop() => ticker.Stop();

        public void Reset() => ticker.Reset(s_fast);

        public void Dispose() => ticker.Dispose();
    }

    private sealed class SafeStopper(SafeTicker ticker) : IStopper
    {
        public void Stop() => ticker.Stop();

        public void Reset() => ticker.Reset();

        public void Dispose() => ticker.Dispose();
    }
}
