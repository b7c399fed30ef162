using LeakOperator.Leaks.Injections;

namespace LeakOperator.Leaks.Tests;

/// <summary>
/// A leak whose release the test lets go (or fails) when it chooses: what a slow release (connections draining) or a
/// failing one looks like to whoever waits on it. It takes its units from the ledger as every leak does.
/// </summary>
internal sealed class HeldReleaseLeak(UnitLedger ledger) : ILeak
{
    private readonly TaskCompletionSource _letGo = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _releases;

    public string Pattern => "held release";

    /// <summary>How many times a release began (the injection's release must run it once).</summary>
    public int Releases => Volatile.Read(ref _releases);

    public static (Injection Injection, HeldReleaseLeak Leak) Create(LeakOwner owner, int holding)
    {
        var spec = InjectionSpec.Default(LeakType.Memory, LeakMode.Leaky);
        var ledger = new UnitLedger(spec.Type, spec.MaxUnits, new LeakBudget(new LeakBudgetLimits()));
        var leak = new HeldReleaseLeak(ledger);
        ledger.TryTake(holding);
        return (new Injection(owner, spec, leak, ledger, TimeProvider.System, new CancellationTokenSource()), leak);
    }

    public void LetGo() => _letGo.TrySetResult();

    public void Fail() => _letGo.TrySetException(new IOException("the sink would not close"));

    public ValueTask StepAsync(int units, CancellationToken cancellationToken) => ValueTask.CompletedTask;

    public long MeasureLive() => ledger.Held;

    public IReadOnlyDictionary<string, double> Evidence() => new Dictionary<string, double>();

    public async ValueTask ReleaseAsync()
    {
        Interlocked.Increment(ref _releases);
        await _letGo.Task.ConfigureAwait(false);
        ledger.Return(ledger.Held);
    }
}
