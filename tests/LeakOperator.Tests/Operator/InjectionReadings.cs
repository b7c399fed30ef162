using LeakOperator.Leaks;
using LeakOperator.Leaks.Analysis;
using LeakOperator.Leaks.Injections;
using LeakOperator.Operator;

namespace LeakOperator.Tests.Operator;

/// <summary>Readings of an injection as the status projection sees them, without running one.</summary>
internal static class InjectionReadings
{
    public static readonly DateTimeOffset Started = new(2026, 12, 4, 10, 0, 0, TimeSpan.Zero);

    public static InjectionReading Of(
        InjectionPhase phase,
        long live = 12,
        Verdict? verdict = null,
        string? capReason = null,
        double unitsPerMinute = 60) => new(
        phase,
        InjectionSpec.Default(LeakType.Memory, LeakMode.Leaky),
        live,
        InjectedUnits: live + 3,
        ReleasedUnits: 3,
        unitsPerMinute,
        verdict,
        Started,
        phase is InjectionPhase.Pending or InjectionPhase.Injecting ? null : Started.AddMinutes(5),
        "retained-buffers",
        new Dictionary<string, double> { ["gcHeapMiB"] = 42 },
        capReason);
}
