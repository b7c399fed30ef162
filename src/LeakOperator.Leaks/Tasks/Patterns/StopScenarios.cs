namespace LeakOperator.Leaks.Tasks.Patterns;

/// <summary>The Stop() failure scenario for each pattern other than <see cref="TaskPattern.Unstopped"/>.</summary>
internal static class StopScenarios
{
    public static IStopScenario For(TaskPattern pattern) => pattern switch
    {
        TaskPattern.LostStop => new LostStopScenario(),
        TaskPattern.EarlyReturn => new EarlyReturnScenario(),
        TaskPattern.DoubleStop => new DoubleStopScenario(),
        TaskPattern.TickAfterStop => new TickAfterStopScenario(),
        TaskPattern.CancelWithoutDispose => new CancelWithoutDisposeScenario(),
        _ => throw new ArgumentOutOfRangeException(nameof(pattern), pattern, "unstopped has no stop to fail"),
    };
}
