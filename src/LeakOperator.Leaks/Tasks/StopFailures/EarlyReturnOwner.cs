using LeakOperator.Timing;

namespace LeakOperator.Leaks.Tasks.StopFailures;

/// <summary>
/// Failure 2, stop skipped on an early return: a reconcile that starts a ticker and stops it on its last line.
/// Any branch that leaves first — an error, an exception — skips that line, and the ticker lives on.
/// </summary>
public static class EarlyReturnOwner
{
    /// <summary>Naive, on purpose: the Dispose is on the happy path only.</summary>
    public static async Task<bool> ReconcileNaivelyAsync(bool fail, TimeSpan period)
    {
        var ticker = new PeriodicTimer(period);
        _ = TickAsync(ticker);
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
