namespace LeakOperator.Leaks.Tasks.Patterns;

/// <summary>Task patterns as users write them (CRD <c>spec.task.pattern</c>, <c>lab --scenario</c>, metrics labels).</summary>
public static class TaskPatternNames
{
    public static WireNames<TaskPattern> Names { get; } = new(
        (TaskPattern.Unstopped, "unstopped"),
        (TaskPattern.LostStop, "lost-stop"),
        (TaskPattern.EarlyReturn, "early-return"),
        (TaskPattern.DoubleStop, "double-stop"),
        (TaskPattern.TickAfterStop, "tick-after-stop"),
        (TaskPattern.CancelWithoutDispose, "cancel-without-dispose"),
        (TaskPattern.ReconcileStorm, "reconcile-storm"),
        (TaskPattern.ReconcileStormDirect, "reconcile-storm-direct"));

    /// <summary>The patterns that need a host that reconciles (a controller), not just the rate driver.</summary>
    public static bool NeedsReconciles(this TaskPattern pattern) => pattern is TaskPattern.ReconcileStorm or TaskPattern.ReconcileStormDirect;

    /// <summary>The pattern whose ticks call the host's reconcile directly, outside its work queue.</summary>
    public static bool NeedsDirectReconciles(this TaskPattern pattern) => pattern == TaskPattern.ReconcileStormDirect;

    public static string ToWire(this TaskPattern pattern) => Names.Of(pattern);

    /// <summary>What one leaked unit of this pattern is, for people.</summary>
    public static string UnitName(this TaskPattern pattern) => pattern switch
    {
        TaskPattern.Unstopped => "live timer loops",
        TaskPattern.LostStop => "loops running after a successful Stop",
        TaskPattern.EarlyReturn => "tickers left running by early returns",
        TaskPattern.DoubleStop => "stops whose cleanup ran twice",
        TaskPattern.TickAfterStop => "ticks handled after Stop returned",
        TaskPattern.CancelWithoutDispose => "cancelled timers still scheduled",
        TaskPattern.ReconcileStorm => "ticker loops started by reconciles",
        TaskPattern.ReconcileStormDirect => "ticker loops started by reconciles, each reconciling directly",
        _ => throw new ArgumentOutOfRangeException(nameof(pattern), pattern, null),
    };
}
