namespace LeakOperator.Leaks.Tasks.StopFailures;

/// <summary>
/// Naive, on purpose — failure 3, double stop tears state: Stop checks a plain flag, does some work, then sets it.
/// Two threads stopping at once both pass the check: cleanup runs twice and the live count goes negative.
/// </summary>
public sealed class DoubleStopTicker : IDisposable
{
    private static long s_live;
    private readonly Timer _timer;
    private bool _stopped;
    private int _cleanups;

    public DoubleStopTicker(TimeSpan period)
    {
        _timer = new Timer(static _ => { }, null, period, period);
        Interlocked.Increment(ref s_live);
    }

    /// <summary>Tickers this class believes are alive; a torn Stop drives it below the truth.</summary>
    public static long Live => Interlocked.Read(ref s_live);

    public int Cleanups => Volatile.Read(ref _cleanups);

    public void Stop()
    {
        if (_stopped)
        {
            return;
        }

        // The window: a log line, a metric, a flush — anything between the check and the set.
        Thread.Sleep(1);
        _stopped = true;
        _timer.Dispose();
        Interlocked.Increment(ref _cleanups);
        Interlocked.Decrement(ref s_live);
    }

    public void Dispose() => Stop();
}
