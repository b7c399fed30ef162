using LeakOperator.Leaks;
using LeakOperator.Leaks.Injections;
using LeakOperator.Leaks.Readings;

namespace LeakOperator.Hosting;

/// <summary>
/// GET /debug/leaks: every live injected resource and the runtime readings — the .NET counterpart of looking at a
/// goroutine dump to see which loops are still running and who started them.
/// </summary>
internal static class LeakReport
{
    public static LeakReportBody Build(InjectionInventory inventory, TimeProvider time)
    {
        var now = time.GetUtcNow();
        return new LeakReportBody(
            now,
            RuntimeReadings.Take(),
            [.. inventory.Snapshot()
                .OrderBy(i => i.Owner.Namespace, StringComparer.Ordinal)
                .ThenBy(i => i.Owner.Name, StringComparer.Ordinal)
                .Select(i => new LiveInjection(
                    i.Spec.Type.ToWire(),
                    i.Spec.Mode.ToWire(),
                    i.Pattern,
                    new InjectionOwner(i.Owner.Namespace, i.Owner.Name),
                    i.Phase.ToString(),
                    i.StartedAt is { } started ? Math.Round((now - started).TotalSeconds, 1) : 0,
                    i.Spec.UnitName(),
                    i.MeasureLive(),
                    i.Ledger.Injected,
                    i.Ledger.Released,
                    i.Spec.MaxUnits,
                    i.Ledger.CapReason,
                    i.Evidence()))]);
    }
}

/// <summary>The body of /debug/leaks (camelCase on the wire, see <see cref="EndpointJson"/>).</summary>
internal sealed record LeakReportBody(DateTimeOffset TakenAt, RuntimeReadings Runtime, IReadOnlyList<LiveInjection> Injections);

/// <summary>One live injection in /debug/leaks.</summary>
internal sealed record LiveInjection(
    string LeakType,
    string Mode,
    string? Pattern,
    InjectionOwner Owner,
    string Phase,
    double AgeSeconds,
    string Unit,
    long LiveUnits,
    long InjectedUnits,
    long ReleasedUnits,
    long MaxUnits,
    string? CapReason,
    IReadOnlyDictionary<string, double> Evidence);

/// <summary>Whose injection it is: the LeakTest's namespace and name.</summary>
internal sealed record InjectionOwner(string Namespace, string Name);
