namespace LeakOperator.Leaks.Injections;

/// <summary>
/// One injection's account of units: a leak takes units here before it creates anything and gives them back when it
/// releases them. Taking is bounded by the injection's own cap and by the process-wide budget, atomically, so
/// neither can be exceeded by any input or any interleaving.
/// </summary>
public sealed class UnitLedger(LeakType type, long maxUnits, LeakBudget budget)
{
    private long _held;
    private long _injected;
    private long _released;
    private long _denied;
    private string? _capReason;

    public LeakType Type { get; } = type;

    public long MaxUnits { get; } = maxUnits;

    /// <summary>Units taken and not yet given back.</summary>
    public long Held => Interlocked.Read(ref _held);

    /// <summary>Units ever taken (created).</summary>
    public long Injected => Interlocked.Read(ref _injected);

    /// <summary>Units ever given back.</summary>
    public long Released => Interlocked.Read(ref _released);

    /// <summary>Units asked for and refused by a cap.</summary>
    public long Denied => Interlocked.Read(ref _denied);

    /// <summary>Why the last refusal happened, or null if no cap has engaged.</summary>
    public string? CapReason => Volatile.Read(ref _capReason);

    /// <summary>What was created and is still held, once a cap has refused units; null while no cap engaged.</summary>
    public Analysis.Retention? RetentionWhenCapped => CapReason is null ? null : new(Injected, Held);

    /// <summary>Takes up to <paramref name="wanted"/> units; returns how many may be created.</summary>
    public int TryTake(int wanted)
    {
        if (wanted <= 0)
        {
            return 0;
        }

        long local = BoundedCounter.TakeUpTo(ref _held, MaxUnits, wanted);
        long granted = budget.TryReserve(Type, local);
        if (granted < local)
        {
            Interlocked.Add(ref _held, granted - local);
        }

        if (granted < wanted)
        {
            Interlocked.Add(ref _denied, wanted - granted);
            // The budget is named whenever it refused units that maxUnits allowed: raising maxUnits would not help then.
            Volatile.Write(
                ref _capReason,
                granted < local
                    ? $"operator-wide {Type.ToWire()} budget of {budget.Limits.For(Type)} reached"
                    : $"maxUnits {MaxUnits} reached");
        }

        Interlocked.Add(ref _injected, granted);
        return (int)granted;
    }

    /// <summary>Gives back units that were created and are now released.</summary>
    public void Return(long units)
    {
        if (units <= 0)
        {
            return;
        }

        Interlocked.Add(ref _held, -units);
        Interlocked.Add(ref _released, units);
        budget.Return(Type, units);
    }

    /// <summary>Gives back units that were taken but never created (the step failed before creating them).</summary>
    public void Refund(long units)
    {
        if (units <= 0)
        {
            return;
        }

        Interlocked.Add(ref _held, -units);
        Interlocked.Add(ref _injected, -units);
        budget.Return(Type, units);
    }
}
