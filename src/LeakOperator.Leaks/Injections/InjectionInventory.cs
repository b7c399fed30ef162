using System.Collections.Concurrent;

namespace LeakOperator.Leaks.Injections;

/// <summary>
/// Every live injection in the process, by owner: what metrics and diagnostics read, and the one place an injection
/// is let go, so what they read and what runs cannot drift apart (the operator and the lab both release here).
/// </summary>
public sealed class InjectionInventory
{
    private readonly ConcurrentDictionary<LeakOwner, Injection> _injections = new();

    public int Count => _injections.Count;

    /// <summary>Adds an injection; false if the owner already has one (registration is idempotent per owner).</summary>
    public bool TryAdd(Injection injection) => _injections.TryAdd(injection.Owner, injection);

    public bool TryGet(LeakOwner owner, out Injection? injection) => _injections.TryGetValue(owner, out injection);

    /// <summary>
    /// Forgets the owner's injection and releases everything it holds; returns how many units it held, or null if the
    /// owner had none. Safe to race: only the caller that removes the injection releases it.
    /// </summary>
    public async Task<long?> ReleaseAsync(LeakOwner owner)
    {
        if (!_injections.TryRemove(owner, out var injection))
        {
            return null;
        }

        long held = injection.Ledger.Held;
        await injection.DisposeAsync().ConfigureAwait(false);
        return held;
    }

    public IReadOnlyList<Injection> Snapshot() => [.. _injections.Values];
}
