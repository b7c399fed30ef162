namespace LeakOperator.Leaks.Injections;

/// <summary>Operator-wide ceilings per leak type, that no combination of injections can exceed.</summary>
public sealed record LeakBudgetLimits(long MemoryMiB = 1024, long TimerLoops = 20_000, long Connections = 500)
{
    public long For(LeakType type) => type switch
    {
        LeakType.Memory => MemoryMiB,
        LeakType.Task => TimerLoops,
        LeakType.HttpConn => Connections,
        _ => throw new ArgumentOutOfRangeException(nameof(type), type, null),
    };
}

/// <summary>The process-wide pool of units each injection draws from.</summary>
public sealed class LeakBudget(LeakBudgetLimits limits)
{
    private readonly long[] _held = new long[LeakNames.Types.Values.Count];

    public LeakBudgetLimits Limits { get; } = limits;

    public long Held(LeakType type) => Interlocked.Read(ref _held[(int)type]);

    /// <summary>Reserves up to <paramref name="wanted"/> units; returns how many were granted (0 when exhausted).</summary>
    public long TryReserve(LeakType type, long wanted) => BoundedCounter.TakeUpTo(ref _held[(int)type], Limits.For(type), wanted);

    public void Return(LeakType type, long units)
    {
        if (units > 0)
        {
            Interlocked.Add(ref _held[(int)type], -units);
        }
    }
}
