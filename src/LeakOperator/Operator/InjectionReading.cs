using LeakOperator.Leaks.Analysis;
using LeakOperator.Leaks.Injections;

namespace LeakOperator.Operator;

/// <summary>
/// One reading of a tracked injection: everything its status shows, taken together, so that projecting it into a
/// status is a pure function (<see cref="StatusProjection"/>) and can be tested without running an injection.
/// </summary>
internal sealed record InjectionReading(
    InjectionPhase Phase,
    InjectionSpec Spec,
    long LiveUnits,
    long InjectedUnits,
    long ReleasedUnits,
    double UnitsPerMinute,
    Verdict? Verdict,
    DateTimeOffset? StartedAt,
    DateTimeOffset? EndedAt,
    string Pattern,
    IReadOnlyDictionary<string, double> Evidence,
    string? CapReason);
