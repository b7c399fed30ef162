using LeakOperator.Timing;

namespace LeakOperator.Leaks.Tasks.StopFailures;

/// <summary>
/// Failure 2, stop skipped on an early return: a reconcile that starts a ticker and stops it on its last line.
/// Any branch that leaves first — an error, an exception — skips that line, and the ticker lives on.
/// </summary>
public static class EarlyReturnOwner
{
    /// <summary>Naive, on purpose: the Dispose is on the happy path only.</summary>
    /// <param name="started">Instrumentation, not part of the bug: sees the ticker and its loop, so they can be
    /// counted and, on release, disposed.</param>
    public static async Task<bool> ReconcileNaivelyAsync(bool fail, TimeSpan period, Action<PeriodicTimer, Task>? started = null)
    {
        var ticker = new PeriodicTimer(period);
        var loop = TickAsync(ticker);
        started?.Invoke(ticker, loop);
        if (fail)
        {
            return false; // early return: the ticker below is never disposed
        }

        await Task.Yield();
        ticker.Dispose();
        return true;
    }

    /// <summary>The fix: the ticker is bound to the reconcile's lifetime and disposed on every way out.</summary>
    public static async Task<bool> ReconcileSafelyAsync(bool fail, TimeSpan period, CancellationToken reconcile)
    {
        using var ticker = new SafeTicker(period, static _ => { }, lifetime: reconcile);
        if (fail)
        {
            return false;
        }

        await Task.Yield();
        return true;
    }

    private static async Task TickAsync(PeriodicTimer ticker)
    {
        while (await ticker.WaitForNextTickAsync().ConfigureAwait(false))
        {
        }
    }
}
