using LeakOperator.Leaks;
using LeakOperator.Leaks.Analysis;
using LeakOperator.Leaks.Injections;
using LeakOperator.Operator.Api;

namespace LeakOperator.Operator;

/// <summary>
/// What a LeakTest's status says, as pure functions of what the operator knows: an injection's reading, a spec
/// problem, or a release on request. Conditions follow Kubernetes' conventions (each carries observedGeneration;
/// lastTransitionTime moves only when its status does, see <see cref="ConditionSet"/>).
/// </summary>
internal static class StatusProjection
{
    /// <summary>The status of a running (or finished) injection of <paramref name="generation"/>.</summary>
    public static void Observe(LeakTestStatus status, InjectionReading reading, long generation, DateTime now)
    {
        string phase = PhaseOf(reading.Phase);
        status.Phase = phase;
        status.LeakedUnits = reading.LiveUnits;
        status.InjectedUnits = reading.InjectedUnits;
        status.ReleasedUnits = reading.ReleasedUnits;
        status.UnitsPerMinute = Math.Round(reading.UnitsPerMinute, 1);
        status.Verdict = reading.Verdict?.ToString();
        status.StartedAt = reading.StartedAt?.UtcDateTime;
        status.CompletedAt = reading.EndedAt?.UtcDateTime;
        status.Pattern = reading.Pattern;
        status.Evidence = reading.Evidence.ToDictionary(e => e.Key, e => e.Value, StringComparer.Ordinal);
        status.ObservedGeneration = generation;

        bool injecting = reading.Phase is InjectionPhase.Injecting or InjectionPhase.Pending;
        var conditions = status.Conditions;
        ConditionSet.Set(conditions, LeakTestConditions.Ready, true, phase, ReadyMessage(phase, reading.Spec), generation, now);
        ConditionSet.Set(
            conditions,
            LeakTestConditions.Injecting,
            injecting,
            injecting ? LeakTestReasons.InjectionRunning : LeakTestReasons.InjectionEnded,
            injecting ? $"injecting until {reading.StartedAt + reading.Spec.Duration:u}" : "the injection time is over",
            generation,
            now);
        ConditionSet.Set(
            conditions,
            LeakTestConditions.Leaking,
            reading.Verdict == Verdict.Leaking,
            reading.Verdict?.ToString() ?? LeakTestReasons.NotJudgedYet,
            $"growth {reading.UnitsPerMinute:0.#} units/min while injecting",
            generation,
            now);
        ConditionSet.Set(conditions, LeakTestConditions.InvalidSpec, false, LeakTestReasons.Valid, "the spec is valid", generation, now);
        ConditionSet.Set(
            conditions,
            LeakTestConditions.Capped,
            reading.CapReason is not null,
            reading.CapReason is null ? LeakTestReasons.WithinCaps : LeakTestReasons.CapReached,
            reading.CapReason ?? "no cap has engaged",
            generation,
            now);
    }

    /// <summary>The status of a spec that cannot run: Failed, nothing held, the problem on two conditions.</summary>
    public static void Invalid(LeakTestStatus status, SpecTranslation.Problem problem, long generation, DateTime now)
    {
        status.Phase = LeakTestPhases.Failed;
        status.LeakedUnits = 0;
        status.Verdict = null;
        status.ObservedGeneration = generation;
        ConditionSet.Set(status.Conditions, LeakTestConditions.InvalidSpec, true, problem.Reason, problem.Message, generation, now);
        ConditionSet.Set(status.Conditions, LeakTestConditions.Ready, false, problem.Reason, problem.Message, generation, now);
        ConditionSet.Set(
            status.Conditions,
            LeakTestConditions.Injecting,
            false,
            LeakTestReasons.InvalidSpec,
            "nothing is injected for an invalid spec",
            generation,
            now);
    }

    /// <summary>The status while <see cref="LeakTest.ForceReleaseAnnotation"/> is set: Completed, nothing held.</summary>
    public static void ForceReleased(LeakTestStatus status, long generation, DateTime now)
    {
        status.Phase = LeakTestPhases.Completed;
        status.LeakedUnits = 0;
        status.ObservedGeneration = generation;
        string message = $"released on request ({LeakTest.ForceReleaseAnnotation}=true); remove the annotation to inject again";
        ConditionSet.Set(status.Conditions, LeakTestConditions.Ready, true, LeakTestReasons.ForceReleased, message, generation, now);
        ConditionSet.Set(status.Conditions, LeakTestConditions.Injecting, false, LeakTestReasons.ForceReleased, message, generation, now);
    }

    /// <summary>
    /// Whether a safe test of this generation already completed (seen in status, e.g. after an operator restart): it
    /// has nothing to hold, so it is not injected again. A release on request does not count: removing the
    /// annotation injects again.
    /// </summary>
    public static bool FinishedBefore(LeakTestStatus? status, long generation) =>
        status is { Phase: LeakTestPhases.Completed }
        && status.ObservedGeneration == generation
        && !status.Conditions.Any(c => c.Type == LeakTestConditions.Ready && c.Reason == LeakTestReasons.ForceReleased);

    /// <summary>What a user acts on (phase, generation, each condition's status): a change here is written at once.</summary>
    public static string Significant(LeakTestStatus? status) =>
        status is null
            ? ""
            : $"{status.Phase}|{status.ObservedGeneration}|{string.Join(',', status.Conditions.Select(c => $"{c.Type}={c.Status}"))}";

    public static string PhaseOf(InjectionPhase phase) => phase switch
    {
        InjectionPhase.Pending => LeakTestPhases.Pending,
        InjectionPhase.Injecting => LeakTestPhases.Injecting,
        InjectionPhase.Holding => LeakTestPhases.Holding,
        InjectionPhase.Releasing => LeakTestPhases.Releasing,
        _ => LeakTestPhases.Completed,
    };

    private static string ReadyMessage(string phase, InjectionSpec spec) => phase switch
    {
        LeakTestPhases.Injecting => $"injecting {spec.Type.ToWire()} in {spec.Mode.ToWire()} mode",
        LeakTestPhases.Holding => "injection over; the leaky test holds what it leaked until it is deleted",
        LeakTestPhases.Completed => "injection over; everything is released",
        _ => phase,
    };
}
