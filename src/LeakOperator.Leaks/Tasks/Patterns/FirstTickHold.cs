namespace LeakOperator.Leaks.Tasks.Patterns;

/// <summary>
/// Holds a ticker's first tick inside its handler until released, so a Stop lands exactly while the loop is busy —
/// the moment the lost-stop and tick-after-stop failures need. Later ticks pass straight through.
/// </summary>
internal sealed class FirstTickHold
{
    /// <summary>A hold never outlives this, so a bug here cannot wedge a thread-pool thread.</summary>
    private static readonly TimeSpan s_maxHold = TimeSpan.FromSeconds(5);

    private readonly TaskCompletionSource _entered = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _released = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Call first thing in the handler; true (after the hold) for the held tick only.</summary>
    public bool OnTick()
    {
        // TrySetResult succeeds once: that one tick is the held one.
        if (!_entered.TrySetResult())
        {
            return false;
        }

        _released.Task.Wait(s_maxHold);
        return true;
    }

    /// <summary>True once the first tick is being held; false if none came within <paramref name="timeout"/>.</summary>
    public async Task<bool> EnteredAsync(TimeSpan timeout, CancellationToken cancellationToken)
    {
        try
        {
            await _entered.Task.WaitAsync(timeout, cancellationToken).ConfigureAwait(false);
            return true;
        }
        catch (TimeoutException)
        {
            return false;
        }
    }

    public void Release() => _released.TrySetResult();
}
