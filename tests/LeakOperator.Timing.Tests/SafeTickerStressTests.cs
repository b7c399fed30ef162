using LeakOperator.Timing;

namespace LeakOperator.Timing.Tests;

/// <summary>Many threads at once against real timers: the invariants must hold under every interleaving we can provoke.</summary>
public sealed class SafeTickerStressTests
{
    private static readonly TimeSpan s_fast = TimeSpan.FromMilliseconds(1);

    [Fact]
    public async Task Concurrent_Stop_Reset_Dispose_and_leases_close_each_ticker_exactly_once_without_exceptions()
    {
        const int Tickers = 200;
        const int Threads = 8;
        long openBefore = SafeTicker.OpenCount;
        long timersBefore = Timer.ActiveCount;
        var closes = new int[Tickers];
        var tickers = Enumerable.Range(0, Tickers)
            .Select(i => new SafeTicker(s_fast, static _ => Thread.SpinWait(50), onClosed: () => Interlocked.Increment(ref closes[i])))
            .ToArray();
        var errors = new System.Collections.Concurrent.ConcurrentQueue<Exception>();
        using var go = new ManualResetEventSlim();

        var workers = Enumerable.Range(0, Threads).Select(seed => Task.Factory.StartNew(
            () =>
            {
                var random = new Random(seed);
                go.Wait();
                for (int round = 0; round < 400; round++)
                {
                    var ticker = tickers[random.Next(Tickers)];
                    try
                    {
                        switch (random.Next(6))
                        {
                            case 0: ticker.Stop(); break;
                            case 1: ticker.Reset(); break;
                            case 2: ticker.TryAcquire()?.Dispose(); break;
                            case 3:
                                var lease = ticker.TryAcquire();
                                Parallel.Invoke(() => lease?.Dispose(), () => lease?.Dispose());
                                break;
                            case 4: ticker.ReleaseCreatorReference(); break;
                            default: if (random.Next(10) == 0) { ticker.Dispose(); } break;
                        }
                    }
                    catch (Exception e)
                    {
                        errors.Enqueue(e);
                    }
                }
            },
            TaskCreationOptions.LongRunning)).ToArray();

        go.Set();
        await Task.WhenAll(workers);
        Parallel.ForEach(tickers, t => { t.Dispose(); t.Dispose(); });

        Assert.Empty(errors);
        Assert.All(closes, c => Assert.Equal(1, c));
        Assert.All(tickers, t => Assert.Equal(TickerState.Closed, t.State));
        Assert.Equal(openBefore, SafeTicker.OpenCount);
        Assert.True(Timer.ActiveCount <= timersBefore, $"scheduled timers {Timer.ActiveCount}, before {timersBefore}: a closed ticker left its timer behind");
    }

    [Fact]
    public async Task No_tick_is_delivered_after_Stop_returns()
    {
        int stopped = 0;
        int violations = 0;
        int delivered = 0;
        using var ticker = new SafeTicker(
            s_fast,
            _ =>
            {
                Interlocked.Increment(ref delivered);
                if (Volatile.Read(ref stopped) == 1)
                {
                    Interlocked.Increment(ref violations);
                }

                // A handler that takes a fifth of the period, so Stop often lands while one runs; still running
                // after Stop returned is a violation too.
                var busy = System.Diagnostics.Stopwatch.StartNew();
                while (busy.Elapsed < TimeSpan.FromMilliseconds(0.2))
                {
                    Thread.SpinWait(20);
                }

                if (Volatile.Read(ref stopped) == 1)
                {
                    Interlocked.Increment(ref violations);
                }
            });

        for (int round = 0; round < 300; round++)
        {
            // Let ticks flow, stop from another thread while one may be running, then watch two periods.
            int seen = Volatile.Read(ref delivered);
            await WaitUntil(() => Volatile.Read(ref delivered) > seen, TimeSpan.FromSeconds(5));
            await Task.Run(() => ticker.Stop());
            Volatile.Write(ref stopped, 1);
            var watch = System.Diagnostics.Stopwatch.StartNew();
            while (watch.Elapsed < TimeSpan.FromMilliseconds(2))
            {
                Thread.SpinWait(100);
            }

            Volatile.Write(ref stopped, 0);
            ticker.Reset();
        }

        Assert.Equal(0, violations);
    }

    [Fact]
    public async Task Leases_from_many_threads_close_the_ticker_once_and_only_after_the_last_is_given_back()
    {
        int closed = 0;
        int closedWhileLeased = 0;
        var ticker = new SafeTicker(s_fast, static _ => { }, onClosed: () => Interlocked.Increment(ref closed));
        using var go = new ManualResetEventSlim();
        var workers = Enumerable.Range(0, 16).Select(_ => Task.Factory.StartNew(
            () =>
            {
                go.Wait();
                for (int i = 0; i < 5000; i++)
                {
                    using var lease = ticker.TryAcquire();
                    if (lease is not null && ticker.State == TickerState.Closed)
                    {
                        Interlocked.Increment(ref closedWhileLeased);
                    }
                }
            },
            TaskCreationOptions.LongRunning)).ToArray();

        go.Set();
        ticker.ReleaseCreatorReference();
        await Task.WhenAll(workers);

        Assert.Equal(0, closedWhileLeased);
        Assert.Equal(1, closed);
        Assert.Equal(TickerState.Closed, ticker.State);
    }

    private static async Task WaitUntil(Func<bool> condition, TimeSpan deadline)
    {
        var watch = System.Diagnostics.Stopwatch.StartNew();
        while (!condition())
        {
            Assert.True(watch.Elapsed < deadline, "condition not met before the deadline");
            await Task.Yield();
        }
    }
}
