using LeakOperator.Leaks;
using LeakOperator.Leaks.Injection;
using LeakOperator.Leaks.Readings;

namespace LeakOperator.Hosting;

/// <summary>
/// GET /debug/leaks: every live injected resource and the runtime readings — the .NET counterpart of looking at a
/// goroutine dump to see which loops are still running and who started them.
/// </summary>
internal static class LeakReport
{
    public static object Build(InjectionInventory inventory, TimeProvider time)
    {
        var now = time.GetUtcNow();
        return new
        {
            takenAt = now,
            runtime = RuntimeReadings.Take(),
            injections = inventory.Snapshot()
                .OrderBy(i => i.Owner.Namespace, StringComparer.Ordinal)
                .ThenBy(i => i.Owner.Name, StringComparer.Ordinal)
                .Select(i => new
                {
                    leakType = i.Spec.Type.ToWire(),
                    mode = i.Spec.Mode.ToWire(),
                    pattern = i.Pattern,
                    owner = new { @namespace = i.Owner.Namespace, name = i.Owner.Name },
                    phase = i.Phase.ToString(),
                    ageSeconds = i.StartedAt is { } started ? Math.Round((now - started).TotalSeconds, 1) : 0,
                    unit = i.Spec.UnitName(),
                    liveUnits = i.MeasureLive(),
                    injectedUnits = i.Ledger.Injected,
                    releasedUnits = i.Ledger.Released,
                    maxUnits = i.Spec.MaxUnits,
                    capReason = i.Ledger.CapReason,
                    evidence = i.Evidence(),
                }),
        };
    }
}
