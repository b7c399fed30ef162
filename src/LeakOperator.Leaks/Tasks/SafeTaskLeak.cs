using LeakOperator.Leaks.Injections;
using LeakOperator.Timing;

namespace LeakOperator.Leaks.Tasks;

/// <summary>
/// Safe: the same "make sure this owner has a periodic loop" on every step, done with one
/// <see cref="SafeTicker"/> per owner, registered idempotently, bound to the owner's lifetime and closed on release.
/// </summary>
internal sealed class SafeTaskLeak(
    UnitLedger ledger,
    LeakOwner owner,
    TimeSpan tickInterval,
    TimeProvider timeProvider,
    TickerRegistry<LeakOwner> registry,
    CancellationToken ownerLifetime,
    Action? onTick = null) : ILeak
{
    private readonly Action? _onTick = onTick;
    private long _ticks;
    private long _registrations;
    private long _tickersStarted;

    public string Pattern => "safe-ticker-per-owner";

    public ValueTask StepAsync(int units, CancellationToken cancellationToken)
    {
        for (int i = 0; i < units; i++)
        {
            Interlocked.Increment(ref _registrations);
            if (IsRunning())
            {
                continue;
            }

            // Take the unit before starting, so the cap holds; give it back if another registration won the race.
            if (ledger.TryTake(1) == 0)
            {
                return ValueTask.CompletedTask;
            }

            registry.GetOrStart(owner, StartTicker, out bool started);
            if (!started)
            {
                ledger.Refund(1);
            }
        }

        return ValueTask.CompletedTask;
    }

    public long MeasureLive() => IsRunning() ? 1 : 0;

    public IReadOnlyDictionary<string, double> Evidence() => new Dictionary<string, double>
    {
        ["ticksDelivered"] = Interlocked.Read(ref _ticks),
        ["registrations"] = Interlocked.Read(ref _registrations),
        ["tickersStarted"] = Interlocked.Read(ref _tickersStarted),
    };

    public ValueTask ReleaseAsync()
    {
        // Closing waits for a tick in flight, and onClosed gives the unit back, exactly once.
        registry.Stop(owner);
        return ValueTask.CompletedTask;
    }

    private bool IsRunning() => registry.TryGet(owner, out var ticker) && ticker.State == TickerState.Running;

    private SafeTicker StartTicker(LeakOwner key)
    {
        Interlocked.Increment(ref _tickersStarted);
        return new SafeTicker(
            tickInterval,
            static state =>
            {
                var leak = (SafeTaskLeak)state!;
                Interlocked.Increment(ref leak._ticks);
                leak._onTick?.Invoke();
            },
            this,
            timeProvider,
            onClosed: () => ledger.Return(1),
            lifetime: ownerLifetime);
    }
}
