namespace LeakOperator.Leaks.Tasks.StopFailures;

/// <summary>
/// Naive, on purpose — failure 1, the lost stop signal: Stop wakes the loop only if the loop is waiting at that
/// moment (like Go's non-blocking send on an unread channel). A Stop that lands while a tick is being handled is
/// dropped, yet Stop reports success and the loop runs on.
/// </summary>
public sealed class LostStopTicker
{
    private readonly PeriodicTimer _timer;
    private readonly Action _onTick;
    private TaskCompletionSource? _waiting;
    private long _ticks;

    public LostStopTicker(TimeSpan period, Action onTick)
    {
        _timer = new PeriodicTimer(period);
        _onTick = onTick;

        // On the pool, never inline: a first tick already due at the first await would otherwise run the handler on
        // the creator's thread, inside this constructor (a test holding that tick then waits on itself).
        Loop = Task.Run(RunAsync);
    }

    public Task Loop { get; }

    public long Ticks => Interlocked.Read(ref _ticks);

    /// <summary>Always "succeeds" — which is the bug.</summary>
    public bool Stop()
    {
        Volatile.Read(ref _waiting)?.TrySetResult();
        return true;
    }

    /// <summary>What the buggy code never calls; tests use it to clean up.</summary>
    public void Kill() => _timer.Dispose();

    private async Task RunAsync()
    {
        while (true)
        {
            var stop = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            Volatile.Write(ref _waiting, stop);
            var tick = _timer.WaitForNextTickAsync().AsTask();
            if (await Task.WhenAny(tick, stop.Task).ConfigureAwait(false) == stop.Task || !await tick.ConfigureAwait(false))
            {
                return;
            }

            // Not waiting any more: a Stop that arrives while the tick is handled finds nobody to wake.
            Volatile.Write(ref _waiting, null);
            Interlocked.Increment(ref _ticks);
            _onTick();
        }
    }
}
