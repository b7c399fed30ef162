using LeakOperator.Leaks.Tasks.StopFailures;
using LeakOperator.Timing;

namespace LeakOperator.Leaks.Tasks.Patterns;

/// <summary>
/// Failure 5, .NET's own twin: cancelled but not disposed. Each unit starts a timer loop and cancels its token.
/// Naive: the loop ends, but the timer its owner still holds stays scheduled in the runtime's timer queue.
/// Safe: the ticker is bound to the owner's lifetime token; cancelling it closes the ticker and its timer.
/// </summary>
internal sealed class CancelWithoutDisposePattern() : StopPattern(TaskPattern.CancelWithoutDispose, StopEvidenceNames.LoopsEnded)
{
    public override async Task<StopAttempt> RunLeakyAsync(TimeSpan period, StopEvidence evidence, CancellationToken cancellationToken)
    {
        var naive = new CancelWithoutDispose(period);
        naive.Cancel();
        await naive.Loop.ConfigureAwait(false);
        evidence.Add(StopEvidenceNames.LoopsEnded);

        // The owner keeps its timer (a field, a registry), so it stays scheduled until someone disposes it.
        return new StopAttempt(static () => true, naive.Timer.Dispose);
    }

    public override async Task<StopAttempt> RunSafeAsync(TimeSpan period, StopEvidence evidence, CancellationToken cancellationToken)
    {
        using var owner = new CancellationTokenSource();
        var ticker = new SafeTicker(period, static _ => { }, lifetime: owner.Token);
        await owner.CancelAsync().ConfigureAwait(false);
        evidence.Add(StopEvidenceNames.LoopsEnded);
        return ticker.State == TickerState.Closed ? StopAttempt.Clean : new StopAttempt(() => ticker.State != TickerState.Closed, ticker.Dispose);
    }
}
