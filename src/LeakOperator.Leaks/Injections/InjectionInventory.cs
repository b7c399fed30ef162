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
    /// Releases everything the owner's injection holds, then forgets it; returns how many units it held, or null if the
    /// owner had none. Safe to race: every caller awaits the injection's one release and gets the same count.
    /// </summary>
    public async Task<long?> ReleaseAsync(LeakOwner owner)
    {
        if (!_injections.TryGetValue(owner, out var injection))
        {
            return null;
        }

        try
        {
            long held = await injection.ReleaseAsync().ConfigureAwait(false);
            await injection.DisposeAsync().ConfigureAwait(false);
            return held;
        }
        finally
        {
            // Forgotten only once released, so metrics and /debug show the units still being given back until then;
            // forgotten even when the release threw, or the owner could never start again (the tracker has already let
            // it go); and only this injection (key and value must both match), should a newer one have been added since.
            _injections.TryRemove(KeyValuePair.Create(owner, injection));
        }
    }

    public IReadOnlyList<Injection> Snapshot() => [.. _injections.Values];
}
