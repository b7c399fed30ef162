using System.Diagnostics;

namespace LeakOperator.IntegrationTests;

/// <summary>
/// Tells apart the two ways this test process can stand still while it times something: the whole process paused
/// (a dedicated OS thread that sleeps 10 ms wakes late: GC suspension, or the machine) or only its thread pool
/// starved (a 10 ms <see cref="Task.Delay(int)"/> on the pool completes late while the OS thread is on time).
/// Also reads the GC's own pause total, so a GC pause is named as such.
/// </summary>
internal sealed class StallMeter : IDisposable
{
    private const int TickMs = 10;
    private readonly CancellationTokenSource _stop = new();
    private readonly Thread _thread;
    private readonly Task _pool;
    private readonly Lock _gate = new();
    private readonly List<(long At, double LateMs, bool Pool)> _stalls = [];

    public StallMeter()
    {
        _thread = new Thread(WatchThread) { IsBackground = true, Name = "stall-meter" };
        _thread.Start();
        _pool = Task.Run(WatchPoolAsync);
    }

    /// <summary>What happened in [from, to] (Stopwatch timestamps): the latest wake-up of each kind, and GC pauses.</summary>
    public string Between(long from, long to, TimeSpan gcPause) =>
        $"process thread late {Worst(from, to, pool: false):0} ms, thread pool late {Worst(from, to, pool: true):0} ms, "
        + $"GC paused {gcPause.TotalMilliseconds:0} ms, pool threads {ThreadPool.ThreadCount}";

    /// <summary>The longest this process stood still in [from, to], either way, GC pauses included.</summary>
    public double StoodStillMs(long from, long to, TimeSpan gcPause) =>
        Math.Max(gcPause.TotalMilliseconds, Math.Max(Worst(from, to, pool: false), Worst(from, to, pool: true)));

    private double Worst(long from, long to, bool pool)
    {
        // A wake-up is stamped when it ends: one that ends up to a second after the window still overlapped it.
        lock (_gate)
        {
            return _stalls
                .Where(s => s.Pool == pool && s.At >= from && s.At <= to + Stopwatch.Frequency)
                .Select(s => s.LateMs)
                .DefaultIfEmpty(0)
                .Max();
        }
    }

    public void Dispose()
    {
        _stop.Cancel();
        _thread.Join(TimeSpan.FromSeconds(2));
        try
        {
            _pool.Wait(TimeSpan.FromSeconds(2));
        }
        catch (AggregateException)
        {
            // Cancelled.
        }

        _stop.Dispose();
    }

    private void WatchThread()
    {
        while (!_stop.IsCancellationRequested)
        {
            long before = Stopwatch.GetTimestamp();
            Thread.Sleep(TickMs);
            Record(before, pool: false);
        }
    }

    private async Task WatchPoolAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            long before = Stopwatch.GetTimestamp();
            await Task.Delay(TickMs, _stop.Token).ConfigureAwait(false);
            Record(before, pool: true);
        }
    }

    private void Record(long before, bool pool)
    {
        long now = Stopwatch.GetTimestamp();
        double late = Stopwatch.GetElapsedTime(before, now).TotalMilliseconds - TickMs;
        if (late > 50)
        {
            lock (_gate)
            {
                _stalls.Add((now, late, pool));
            }
        }
    }
}
