using System.Collections.Concurrent;
using System.Diagnostics.CodeAnalysis;
using LeakOperator.Leaks;
using LeakOperator.Leaks.Injections;
using Microsoft.Extensions.Logging;

namespace LeakOperator.Operator;

/// <summary>
/// The injections this operator runs, one per LeakTest (owner), each with the generation and uid it was started for.
/// It registers each in the <see cref="InjectionInventory"/> (what metrics and /debug read) as it starts it, and
/// releases through it, so the two agree (while a release runs, the inventory still lists the injection being
/// released; the tracker has let it go).
/// </summary>
internal sealed partial class InjectionTracker(InjectionFactory factory, InjectionInventory inventory, TimeProvider time, ILogger<InjectionTracker> logger)
{
    private readonly ConcurrentDictionary<LeakOwner, TrackedInjection> _tracked = new();
    private readonly SharedSampler _sampler = new(TrackedInjection.SampleInterval, time);

    /// <summary>The one sampling ticker every tracked injection shares (for tests).</summary>
    internal SharedSampler Sampler => _sampler;

    /// <summary>How many injections are tracked. ConcurrentDictionary.Count takes every lock: read it once per use.</summary>
    public int Count => _tracked.Count;

    public bool TryGet(LeakOwner owner, [NotNullWhen(true)] out TrackedInjection? tracked) => _tracked.TryGetValue(owner, out tracked);

    /// <summary>Creates, registers and starts the owner's injection for one generation of its LeakTest.</summary>
    /// <param name="reconcileAgain">Asks the controller for another reconcile of the owner (the queued storm).</param>
    /// <param name="reconcileDirectly">Reconciles the owner outside the work queue (the direct storm), or null.</param>
    public async Task<TrackedInjection> StartAsync(
        LeakOwner owner,
        InjectionSpec spec,
        long generation,
        string uid,
        Action reconcileAgain,
        Func<CancellationToken, Task>? reconcileDirectly)
    {
        // Every start follows the owner's release (the controller reconciles one key at a time), so a second one is a
        // bug, made loud, and before anything is built: releasing a refused injection would act on the owner's shared
        // state (the safe tickers' registry, the leaky connections' cache), which is the live injection's.
        if (inventory.TryGet(owner, out _))
        {
            throw new InvalidOperationException($"{owner} already has an injection in the inventory");
        }

        var injection = factory.Create(owner, spec, reconcileAgain, reconcileDirectly);
        if (!inventory.TryAdd(injection))
        {
            // Only two starts racing for one owner get here; the loser never started, and its release frees what
            // building it took (the HTTP leaks' sink).
            await injection.DisposeAsync().ConfigureAwait(false);
            throw new InvalidOperationException($"{owner} already has an injection in the inventory");
        }

        var tracked = new TrackedInjection(injection, generation, uid, _sampler, time);
        _tracked[owner] = tracked;
        injection.Start();
        LogStarted(logger, owner, spec.Type, spec.Mode, generation);
        return tracked;
    }

    /// <summary>
    /// Gives back everything the owner's injection holds; returns how many units, or null if it had none. A caller that
    /// comes while another's release of the owner runs awaits that release and gets its count.
    /// </summary>
    public async Task<long?> ReleaseAsync(LeakOwner owner)
    {
        _tracked.TryRemove(owner, out var tracked);
        tracked?.Dispose();

        // Asked of the inventory even when another caller let the owner go first: that release may still run, and
        // nobody may go on (record Released, drop the finalizer, start anew) before it ends. The inventory shares it.
        long? held = await inventory.ReleaseAsync(owner).ConfigureAwait(false);
        if (tracked is not null)
        {
            LogReleased(logger, owner, held ?? 0);
        }

        return held;
    }

    /// <summary>Releases every injection (the operator stops, or loses its lease); returns how many there were.</summary>
    public async Task<int> ReleaseAllAsync()
    {
        var owners = _tracked.Keys.ToList();
        await Task.WhenAll(owners.Select(ReleaseAsync)).ConfigureAwait(false);
        LogReleasedAll(logger, owners.Count);
        return owners.Count;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Injecting for {Owner}: {LeakType} {Mode} (generation {Generation})")]
    private static partial void LogStarted(ILogger logger, LeakOwner owner, LeakType leakType, LeakMode mode, long generation);

    [LoggerMessage(Level = LogLevel.Information, Message = "Released {Owner}: {Units} units")]
    private static partial void LogReleased(ILogger logger, LeakOwner owner, long units);

    [LoggerMessage(Level = LogLevel.Information, Message = "Released every injection ({Count})")]
    private static partial void LogReleasedAll(ILogger logger, int count);
}
