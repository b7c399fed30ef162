namespace LeakOperator.Leaks.Tasks.Patterns;

/// <summary>
/// One of the write-up's Stop() failures as a repeatable unit of work: start a ticker, then stop it — the naive way
/// in <see cref="RunLeakyAsync"/>, the <see cref="Timing.SafeTicker"/> way in <see cref="RunSafeAsync"/>, side by side.
/// </summary>
internal interface IStopScenario
{
    TaskPattern Pattern { get; }

    /// <summary>The counters this scenario reports, in both modes.</summary>
    IReadOnlyList<string> EvidenceNames { get; }

    Task<StopAttempt> RunLeakyAsync(TimeSpan period, StopEvidence evidence, CancellationToken cancellationToken);

    Task<StopAttempt> RunSafeAsync(TimeSpan period, StopEvidence evidence, CancellationToken cancellationToken);
}
