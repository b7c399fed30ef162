using LeakOperator.Leaks.Http;
using LeakOperator.Leaks.Memory;
using LeakOperator.Leaks.Tasks;
using LeakOperator.Leaks.Tasks.Patterns;
using LeakOperator.Leaks.Tasks.Storm;
using LeakOperator.Timing;

namespace LeakOperator.Leaks.Injections;

/// <summary>Builds injections: the one place that knows which variant implements which type and mode.</summary>
public sealed class InjectionFactory(LeakBudget budget, TimeProvider? timeProvider = null)
{
    private readonly TimeProvider _time = timeProvider ?? TimeProvider.System;

    /// <summary>Per-owner registry of safe tickers, shared by every safe task injection of this factory.</summary>
    public TickerRegistry<LeakOwner> Tickers { get; } = new();

    public LeakBudget Budget => budget;

    /// <summary>Creates a stopped injection; throws <see cref="ArgumentException"/> listing every problem with the spec.</summary>
    /// <param name="reconcileAgain">Asks the host to reconcile the owner again; the reconcile storm's ticks call it.
    /// Required for patterns that <see cref="TaskPatternNames.NeedsReconciles"/>.</param>
    /// <param name="reconcileDirectly">Runs the host's reconcile of the owner now, outside its work queue; the direct
    /// storm's leaky ticks await it. Required for patterns that <see cref="TaskPatternNames.NeedsDirectReconciles"/>.</param>
    public Injection Create(LeakOwner owner, InjectionSpec spec, Action? reconcileAgain = null, Func<CancellationToken, Task>? reconcileDirectly = null)
    {
        var errors = spec.Validate();
        if (errors.Count > 0)
        {
            throw new ArgumentException(string.Join("; ", errors), nameof(spec));
        }

        if (spec.TaskPattern.NeedsReconciles() && reconcileAgain is null)
        {
            throw new ArgumentException($"task pattern {spec.TaskPattern.ToWire()} needs a host that reconciles", nameof(reconcileAgain));
        }

        if (spec.TaskPattern.NeedsDirectReconciles() && reconcileDirectly is null)
        {
            throw new ArgumentException($"task pattern {spec.TaskPattern.ToWire()} needs a host that can reconcile directly", nameof(reconcileDirectly));
        }

        var ledger = new UnitLedger(spec.Type, spec.MaxUnits, budget);
        var lifetime = new CancellationTokenSource();
        return new Injection(owner, spec, CreateLeak(owner, spec, ledger, lifetime.Token, reconcileAgain, reconcileDirectly), ledger, _time, lifetime);
    }

    /// <summary>The variant for a spec's type and mode, drawing its units from <paramref name="ledger"/>.</summary>
    internal ILeak CreateLeak(
        LeakOwner owner,
        InjectionSpec spec,
        UnitLedger ledger,
        CancellationToken ownerLifetime,
        Action? reconcileAgain = null,
        Func<CancellationToken, Task>? reconcileDirectly = null) =>
        (spec.Type, spec.Mode) switch
        {
            // The write-up's storm: each leaky tick awaits a reconcile outside the queue. The safe twin's one ticker per
            // object does its periodic work in the tick and never reconciles: status refresh is the queue's RequeueAfter.
            (LeakType.Task, LeakMode.Leaky) when spec.TaskPattern == TaskPattern.ReconcileStormDirect =>
                new ReconcileStormLeak(new LeakyTaskLeak(ledger, spec.TickInterval, _time, onTickAsync: reconcileDirectly), direct: true),
            (LeakType.Task, LeakMode.Safe) when spec.TaskPattern == TaskPattern.ReconcileStormDirect =>
                new ReconcileStormLeak(new SafeTaskLeak(ledger, owner, spec.TickInterval, _time, Tickers, ownerLifetime), direct: true),
            (LeakType.Task, LeakMode.Leaky) when spec.TaskPattern == TaskPattern.ReconcileStorm => new ReconcileStormLeak(new LeakyTaskLeak(ledger, spec.TickInterval, _time, reconcileAgain)),
            (LeakType.Task, LeakMode.Safe) when spec.TaskPattern == TaskPattern.ReconcileStorm =>
                new ReconcileStormLeak(new SafeTaskLeak(ledger, owner, spec.TickInterval, _time, Tickers, ownerLifetime, reconcileAgain)),
            (LeakType.Memory, LeakMode.Leaky) => new LeakyMemoryLeak(ledger),
            (LeakType.Memory, LeakMode.Safe) => new SafeMemoryLeak(ledger, UnitsPerStep(spec)),
            (LeakType.Task, _) when spec.TaskPattern != TaskPattern.Unstopped => new StopPatternLeak(ledger, spec.Mode, StopPattern.For(spec.TaskPattern), spec.TickInterval),
            (LeakType.Task, LeakMode.Leaky) => new LeakyTaskLeak(ledger, spec.TickInterval, _time),
            (LeakType.Task, LeakMode.Safe) => new SafeTaskLeak(ledger, owner, spec.TickInterval, _time, Tickers, ownerLifetime),
            (LeakType.HttpConn, LeakMode.Leaky) => new LeakyHttpLeak(ledger, owner, new LoopbackSink()),
            (LeakType.HttpConn, LeakMode.Safe) => new SafeHttpLeak(ledger, new LoopbackSink()),
            _ => throw new ArgumentOutOfRangeException(nameof(spec), spec, "unknown leak type or mode"),
        };

    private static int UnitsPerStep(InjectionSpec spec) =>
        (int)Math.Clamp(Math.Ceiling(spec.RatePerSecond * Injection.StepInterval.TotalSeconds), 1, Math.Max(1, spec.MaxUnits));
}
