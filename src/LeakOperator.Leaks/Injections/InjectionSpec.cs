using LeakOperator.Leaks.Tasks.Patterns;

namespace LeakOperator.Leaks.Injections;

/// <summary>What to inject, how fast, for how long and up to what cap.</summary>
/// <param name="RatePerSecond">Units per second the injection attempts.</param>
/// <param name="Duration">How long it injects; afterwards a leaky injection holds, a safe one has released.</param>
/// <param name="MaxUnits">Never more than this many units held at once, whatever the rate.</param>
/// <param name="TickInterval">Period of each timer loop the task leak starts.</param>
/// <param name="TaskPattern">How the task leak's tickers go wrong (task leaks only).</param>
public sealed record InjectionSpec(
    LeakType Type,
    LeakMode Mode,
    double RatePerSecond,
    TimeSpan Duration,
    long MaxUnits,
    TimeSpan TickInterval,
    TaskPattern TaskPattern = TaskPattern.Unstopped)
{
    public const double MaxRatePerSecond = 1_000_000;
    public const long MaxUnitsLimit = 100_000;
    public static readonly TimeSpan MaxDuration = TimeSpan.FromDays(1);
    public static readonly TimeSpan MinTickInterval = TimeSpan.FromMilliseconds(10);
    public static readonly TimeSpan MaxTickInterval = TimeSpan.FromHours(1);

    /// <summary>A spec with the defaults for a type (rates a 2-core laptop shows clearly in 30 seconds).</summary>
    public static InjectionSpec Default(LeakType type, LeakMode mode) => type switch
    {
        LeakType.Memory => new(type, mode, RatePerSecond: 4, TimeSpan.FromMinutes(5), MaxUnits: 512, TimeSpan.FromSeconds(1)),
        LeakType.Task => new(type, mode, RatePerSecond: 20, TimeSpan.FromMinutes(5), MaxUnits: 10_000, TimeSpan.FromSeconds(1)),
        LeakType.HttpConn => new(type, mode, RatePerSecond: 2, TimeSpan.FromMinutes(5), MaxUnits: 200, TimeSpan.FromSeconds(1)),
        _ => throw new ArgumentOutOfRangeException(nameof(type), type, null),
    };

    /// <summary>What one unit of this injection is, for people (a task pattern counts its own kind of failure).</summary>
    public string UnitName() => Type == LeakType.Task && TaskPattern != TaskPattern.Unstopped ? TaskPattern.UnitName() : Type.UnitName();

    /// <summary>Every reason this spec cannot run, in words a user can act on; empty when it is valid.</summary>
    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>();
        if (!Enum.IsDefined(Type))
        {
            errors.Add($"leakType {Type} is not one of {LeakNames.Types.OneOf}");
        }

        if (!Enum.IsDefined(Mode))
        {
            errors.Add($"mode {Mode} is not one of {LeakNames.Modes.OneOf}");
        }

        if (double.IsNaN(RatePerSecond) || RatePerSecond <= 0 || RatePerSecond > MaxRatePerSecond)
        {
            errors.Add($"ratePerSecond must be greater than 0 and at most {MaxRatePerSecond:0}, got {RatePerSecond}");
        }

        if (Duration <= TimeSpan.Zero || Duration > MaxDuration)
        {
            errors.Add($"duration must be between 1 second and {MaxDuration.TotalSeconds:0} seconds, got {Duration.TotalSeconds} seconds");
        }

        if (MaxUnits < 0 || MaxUnits > MaxUnitsLimit)
        {
            errors.Add($"maxUnits must be between 0 and {MaxUnitsLimit}, got {MaxUnits}");
        }

        if (TickInterval < MinTickInterval || TickInterval > MaxTickInterval)
        {
            errors.Add($"tick interval must be between {MinTickInterval.TotalMilliseconds} and {MaxTickInterval.TotalMilliseconds} milliseconds, got {TickInterval.TotalMilliseconds}");
        }

        if (!Enum.IsDefined(TaskPattern))
        {
            errors.Add($"task pattern {TaskPattern} is not one of {TaskPatternNames.Names.OneOf}");
        }
        else if (TaskPattern != TaskPattern.Unstopped && Type != LeakType.Task)
        {
            errors.Add($"task pattern {TaskPattern.ToWire()} applies only to leakType task");
        }

        return errors;
    }
}
