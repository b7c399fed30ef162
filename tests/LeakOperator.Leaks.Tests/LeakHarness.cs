using LeakOperator.Leaks.Injections;
using LeakOperator.Leaks.Tasks.Patterns;

namespace LeakOperator.Leaks.Tests;

/// <summary>Builds one leak variant with its own ledger, for tests that drive steps by hand.</summary>
internal sealed class LeakHarness : IAsyncDisposable
{
    private readonly CancellationTokenSource _owner = new();

    public LeakHarness(LeakType type, LeakMode mode, long maxUnits = 10_000, TimeSpan? tickInterval = null, LeakBudget? budget = null, TaskPattern pattern = TaskPattern.Unstopped)
    {
        Budget = budget ?? new LeakBudget(new LeakBudgetLimits(MemoryMiB: 4096, TimerLoops: 100_000, Connections: 1000));
        var factory = new InjectionFactory(Budget);
        var spec = InjectionSpec.Default(type, mode) with { MaxUnits = maxUnits, TickInterval = tickInterval ?? TimeSpan.FromMilliseconds(20), RatePerSecond = 20, TaskPattern = pattern };
        Ledger = new UnitLedger(type, maxUnits, Budget);
        Leak = factory.CreateLeak(new LeakOwner("test", $"{type}-{mode}-{Guid.NewGuid():N}"), spec, Ledger, _owner.Token);
    }

    public LeakBudget Budget { get; }

    public UnitLedger Ledger { get; }

    public ILeak Leak { get; }

    /// <summary>Ends the owner's lifetime (a LeakTest deleted, a reconcile over) without the engine's forced release:
    /// what is still running after this is what the variant's own code leaves behind.</summary>
    public Task EndOwnerAsync() => _owner.CancelAsync();

    public async ValueTask DisposeAsync()
    {
        await Leak.ReleaseAsync();
        await _owner.CancelAsync();
        _owner.Dispose();
    }
}
