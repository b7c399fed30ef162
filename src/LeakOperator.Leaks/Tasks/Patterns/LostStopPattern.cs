using LeakOperator.Leaks.Tasks.StopFailures;
using LeakOperator.Timing;

namespace LeakOperator.Leaks.Tasks.Patterns;

/// <summary>
/// Failure 1, the lost stop signal. Each unit starts a ticker and stops it while its loop is busy with a tick.
/// Naive: the stop signal finds nobody waiting and is dropped, Stop reports success, the loop runs on.
/// Safe: <see cref="SafeTicker.Stop"/> is a state change, not a message, so nobody has to be listening.
/// </summary>
internal sealed class LostStopPattern()
    : StopPattern(TaskPattern.LostStop, StopEvidenceNames.StopsReportedSuccess, StopEvidenceNames.TicksAfterStop)
{
    public override async Task<StopAttempt> RunLeakyAsync(TimeSpan period, StopEvidence evidence, CancellationToken cancellationToken)
    {
        var hold = new FirstTickHold();
        var stopped = new StopFlag();
        var ticker = new LostStopTicker(period, () => CountLateTick(hold, stopped, evidence));
        bool entered = false;
        try
        {
            entered = await hold.EnteredAsync(FirstTickTimeout(period), cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            if (!entered)
            {
                // No tick to stop during (or the injection is being released): this unit never leaks.
                hold.Release();
                ticker.Kill();
            }
        }

        if (!entered)
        {
            return StopAttempt.Clean;
        }

        if (ticker.Stop())
        {
            evidence.Add(StopEvidenceNames.StopsReportedSuccess);
        }

        stopped.Set();
        hold.Release();
        return new StopAttempt(() => !ticker.Loop.IsCompleted, ticker.Kill);
    }

    public override async Task<StopAttempt> RunSafeAsync(TimeSpan period, StopEvidence evidence, CancellationToken cancellationToken)
    {
        var hold = new FirstTickHold();
        var stopped = new StopFlag();
        using var ticker = new SafeTicker(period, _ => CountLateTick(hold, stopped, evidence));
        try
        {
            if (!await hold.EnteredAsync(FirstTickTimeout(period), cancellationToken).ConfigureAwait(false))
            {
                return StopAttempt.Clean;
            }

            // Stop waits for the tick in flight, so the held tick is let go beside it.
            var stopping = Task.Run(ticker.Stop, CancellationToken.None);
            hold.Release();
            if (await stopping.ConfigureAwait(false))
            {
                evidence.Add(StopEvidenceNames.StopsReportedSuccess);
            }

            stopped.Set();
            return ticker.State == TickerState.Running ? StopAttempt.Recorded() : StopAttempt.Clean;
        }
        finally
        {
            hold.Release();
        }
    }

    internal static TimeSpan FirstTickTimeout(TimeSpan period) => (period * 2) + TimeSpan.FromSeconds(5);

    private static void CountLateTick(FirstTickHold hold, StopFlag stopped, StopEvidence evidence)
    {
        if (!hold.OnTick() && stopped.IsSet)
        {
            evidence.Add(StopEvidenceNames.TicksAfterStop);
        }
    }
}
