using LeakOperator.Leaks;
using LeakOperator.Leaks.Injections;
using LeakOperator.Leaks.Tasks.Patterns;
using LeakOperator.Operator.Api;

namespace LeakOperator.Operator;

/// <summary>Turns a LeakTest spec into an injection spec, or into the reason it cannot be one.</summary>
public static class SpecTranslation
{
    /// <summary>A spec the schema let through that cannot run: a machine-readable reason and words a user can act on.</summary>
    public sealed record Problem(string Reason, string Message);

    public static (InjectionSpec? Spec, Problem? Problem) Translate(LeakTestSpec spec)
    {
        if (!LeakNames.Types.TryParse(spec.LeakType, out var type))
        {
            return (null, new("UnknownLeakType", $"spec.leakType '{spec.LeakType}' is not one of {LeakNames.Types.OneOf}"));
        }

        var mode = LeakMode.Leaky;
        if (spec.Mode is not null)
        {
            if (!LeakNames.Modes.TryParse(spec.Mode, out var parsed))
            {
                return (null, new("UnknownMode", $"spec.mode '{spec.Mode}' is not one of {LeakNames.Modes.OneOf}"));
            }

            mode = parsed.Value;
        }

        // The schema cannot tie a field to another field's value; this check can.
        if (spec.TickIntervalMilliseconds is not null && type != LeakType.Task)
        {
            return (null, new("TickIntervalNotApplicable", $"spec.tickIntervalMilliseconds applies only to leakType task, not {type.Value.ToWire()}; remove it"));
        }

        var pattern = TaskPattern.Unstopped;
        if (spec.Task is { } task)
        {
            if (type != LeakType.Task)
            {
                return (null, new("TaskSettingsNotApplicable", $"spec.task applies only to leakType task, not {type.Value.ToWire()}; remove it"));
            }

            if (task.Pattern is not null)
            {
                if (!TaskPatternNames.Names.TryParse(task.Pattern, out var parsed))
                {
                    return (null, new("UnknownTaskPattern", $"spec.task.pattern '{task.Pattern}' is not one of {TaskPatternNames.Names.OneOf}"));
                }

                pattern = parsed.Value;
            }
        }

        var defaults = InjectionSpec.Default(type.Value, mode);
        var result = defaults with
        {
            Duration = TimeSpan.FromSeconds(spec.DurationSeconds ?? 300),
            RatePerSecond = spec.RatePerSecond ?? defaults.RatePerSecond,
            MaxUnits = spec.MaxUnits ?? defaults.MaxUnits,
            TickInterval = spec.TickIntervalMilliseconds is { } ms ? TimeSpan.FromMilliseconds(ms) : defaults.TickInterval,
            TaskPattern = pattern,
        };
        var errors = result.Validate();
        return errors.Count == 0 ? (result, null) : (null, new("OutOfRange", string.Join("; ", errors)));
    }
}
