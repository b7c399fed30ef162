using LeakOperator.Leaks;
using LeakOperator.Leaks.Injections;
using LeakOperator.Operator.Api;

namespace LeakOperator.Operator;

/// <summary>An event to record on a LeakTest.</summary>
internal sealed record LeakTestEvent(string Type, string Reason, string Message)
{
    public const string Normal = "Normal";

    public const string Warning = "Warning";
}

/// <summary>Every event the operator records on a LeakTest, worded in one place.</summary>
internal static class LeakTestEvents
{
    public static LeakTestEvent Started(InjectionSpec spec) => new(
        LeakTestEvent.Normal,
        LeakTestReasons.InjectionStarted,
        $"Injecting {spec.Type.ToWire()} ({spec.Mode.ToWire()}) at {spec.RatePerSecond}/s for {spec.Duration.TotalSeconds:0} s, at most {spec.MaxUnits} units");

    /// <summary>A rejected spec, announced once: not again while the status already says so.</summary>
    public static IEnumerable<LeakTestEvent> InvalidSpec(LeakTestStatus? before, SpecTranslation.Problem problem)
    {
        if (!ConditionSet.IsTrue(before?.Conditions, LeakTestConditions.InvalidSpec))
        {
            yield return new(LeakTestEvent.Warning, LeakTestReasons.InvalidSpec, problem.Message);
        }
    }

    /// <summary>A release before deletion; nothing when there was no injection to release.</summary>
    public static IEnumerable<LeakTestEvent> Released(long? units) =>
        units is null ? [] : [new(LeakTestEvent.Normal, LeakTestReasons.Released, $"Released {units} units before deletion")];

    /// <summary>A release on request; nothing when there was no injection to release.</summary>
    public static IEnumerable<LeakTestEvent> ForceReleased(long? units) =>
        units is null ? [] : [new(LeakTestEvent.Normal, LeakTestReasons.ForceReleased, $"Released {units} units on request")];

    /// <summary>What a written status change deserves: the injection's end, and a cap engaging.</summary>
    /// <param name="unitName">What one unit is, for the holding message.</param>
    public static IEnumerable<LeakTestEvent> Transitions(LeakTestStatus? before, LeakTestStatus after, string unitName, string? capReason)
    {
        if (before?.Phase != after.Phase && after.Phase == LeakTestPhases.Holding)
        {
            yield return new(LeakTestEvent.Normal, LeakTestReasons.Holding, $"Injection over: holding {after.LeakedUnits} {unitName}; verdict {after.Verdict}");
        }
        else if (before?.Phase != after.Phase && after.Phase == LeakTestPhases.Completed)
        {
            yield return new(LeakTestEvent.Normal, LeakTestReasons.Completed, $"Injection over: everything released; verdict {after.Verdict}");
        }

        if (!ConditionSet.IsTrue(before?.Conditions, LeakTestConditions.Capped) && ConditionSet.IsTrue(after.Conditions, LeakTestConditions.Capped))
        {
            yield return new(LeakTestEvent.Warning, LeakTestReasons.Capped, capReason ?? "a cap engaged");
        }
    }
}
