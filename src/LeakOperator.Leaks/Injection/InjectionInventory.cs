using System.Collections.Concurrent;

namespace LeakOperator.Leaks.Injection;

/// <summary>Every live injection in the process, by owner: what metrics and diagnostics read.</summary>
public sealed class InjectionInventory
{
    private readonly ConcurrentDictionary<LeakOwner, Injection> _injections = new();

    public int Count => _injections.Count;

    /// <summary>Adds an injection; false if the owner already has one (registration is idempotent per owner).</summary>
    public bool TryAdd(Injection injection) => _injections.TryAdd(injection.Owner, injection);

    public bool TryGet(LeakOwner owner, out Injection? injection) => _injections.TryGetValue(owner, out injection);

    /// <summary>Forgets an owner's injection (the caller releases it).</summary>
    public bool TryRemove(LeakOwner owner, out Injection? injection) => _injections.TryRemove(owner, out injection);

    public IReadOnlyList<Injection> Snapshot() => [.. _injections.Values];
}
