namespace LeakOperator.Leaks.Tasks.StopFailures;

/// <summary>
/// Naive, on purpose — failure 4, ticks after Stop: Stop sets a flag and disposes the timer but does not wait for a
/// callback already running (or already queued to the thread pool), so the handler still runs after Stop returned.
/// </summary>
public sealed class TickAfterStopTicker : IDisposable
{
    private readonly Timer _timer;
    private readonly Action _onTick;
    private volatile bool _stopped;

    public TickAfterStopTicker(TimeSpan period, Action onTick)
    {
        _onTick = onTick;
        _timer = new Timer(static state => ((TickAfterStopTicker)state!).OnTimer(), this, period, period);
    }

    public void Stop()
    {
        _stopped = true;
        _timer.Change(Timeout.Infinite, Timeout.Infinite);
    }

    public void Reset(TimeSpan period)
    {
        _stopped = false;
        _timer.Change(period, period);
    }

    public void Dispose() => _timer.Dispose();

    private void OnTimer()
    {
        if (!_stopped)
        {
            _onTick();
        }
    }
}
