using LeakOperator.Leaks.Tasks.StopFailures;

namespace LeakOperator.Leaks.Tasks.Patterns;

/// <summary>
/// Failure 2, stop skipped on an early return. Each unit is a reconcile that starts a ticker and then fails.
/// Naive: the failing branch returns before the Dispose on the last line, and the ticker runs on.
/// Safe: the ticker is bound to the reconcile's lifetime and disposed on every way out.
/// </summary>
internal sealed class EarlyReturnPattern() : StopPattern(TaskPattern.EarlyReturn, StopEvidenceNames.EarlyReturns)
{
    public override async Task<StopAttempt> RunLeakyAsync(TimeSpan period, StopEvidence evidence, CancellationToken cancellationToken)
    {
        PeriodicTimer? ticker = null;
        Task loop = Task.CompletedTask;
        await EarlyReturnOwner.ReconcileNaivelyAsync(fail: true, period, (t, l) => (ticker, loop) = (t, l)).ConfigureAwait(false);
        evidence.Add(StopEvidenceNames.EarlyReturns);
        return new StopAttempt(() => !loop.IsCompleted, () => ticker!.Dispose());
    }

    public override async Task<StopAttempt> RunSafeAsync(TimeSpan period, StopEvidence evidence, CancellationToken cancellationToken)
    {
        await EarlyReturnOwner.ReconcileSafelyAsync(fail: true, period, cancellationToken).ConfigureAwait(false);
        evidence.Add(StopEvidenceNames.EarlyReturns);
        return StopAttempt.Clean;
    }
}
