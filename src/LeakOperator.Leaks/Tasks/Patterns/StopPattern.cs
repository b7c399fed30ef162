namespace LeakOperator.Leaks.Tasks.Patterns;

/// <summary>
/// One of the write-up's Stop() failures as a repeatable unit of work: start a ticker, then stop it — the naive way
/// in <see cref="RunLeakyAsync"/>, the <see cref="Timing.SafeTicker"/> way in <see cref="RunSafeAsync"/>, side by side.
/// </summary>
/// <param name="evidenceNames">The counters this pattern reports, in both modes.</param>
internal abstract class StopPattern(TaskPattern pattern, params IReadOnlyList<string> evidenceNames)
{
    public TaskPattern Pattern { get; } = pattern;

    /// <summary>The counters this pattern reports, in both modes.</summary>
    public IReadOnlyList<string> EvidenceNames { get; } = evidenceNames;

    /// <summary>The Stop() failure run of each pattern other than <see cref="TaskPattern.Unstopped"/>.</summary>
    public static StopPattern For(TaskPattern pattern) => pattern switch
    {
        TaskPattern.LostStop => new LostStopPattern(),
        TaskPattern.EarlyReturn => new EarlyReturnPattern(),
        TaskPattern.DoubleStop => new DoubleStopPattern(),
        TaskPattern.TickAfterStop => new TickAfterStopPattern(),
        TaskPattern.CancelWithoutDispose => new CancelWithoutDisposePattern(),
        _ => throw new ArgumentOutOfRangeException(nameof(pattern), pattern, "unstopped has no stop to fail"),
    };

    public abstract Task<StopAttempt> RunLeakyAsync(TimeSpan period, StopEvidence evidence, CancellationToken cancellationToken);

    public abstract Task<StopAttempt> RunSafeAsync(TimeSpan period, StopEvidence evidence, CancellationToken cancellationToken);
}
