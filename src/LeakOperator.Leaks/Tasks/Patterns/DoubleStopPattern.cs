using LeakOperator.Leaks.Tasks.StopFailures;
using LeakOperator.Timing;

namespace LeakOperator.Leaks.Tasks.Patterns;

/// <summary>
/// Failure 3, double stop tears state. Each unit starts a ticker and stops it from two threads at once.
/// Naive: a plain flag is checked, then set; both threads pass the check and cleanup runs twice.
/// Safe: closing is one compare-and-swap, so cleanup runs exactly once whoever calls it.
/// </summary>
internal sealed class DoubleStopPattern()
    : StopPattern(TaskPattern.DoubleStop, StopEvidenceNames.ConcurrentStops, StopEvidenceNames.DoubleCleanups)
{
    public override async Task<StopAttempt> RunLeakyAsync(TimeSpan period, StopEvidence evidence, CancellationToken cancellationToken)
    {
        var ticker = new DoubleStopTicker(period);
        await StopFromTwoThreadsAsync(ticker.Stop).ConfigureAwait(false);
        return Judge(ticker.Cleanups, evidence);
    }

    public override async Task<StopAttempt> RunSafeAsync(TimeSpan period, StopEvidence evidence, CancellationToken cancellationToken)
    {
        int cleanups = 0;
        var ticker = new SafeTicker(period, static _ => { }, onClosed: () => Interlocked.Increment(ref cleanups));
        await StopFromTwoThreadsAsync(() =>
        {
            ticker.Stop();
            ticker.Dispose();
        }).ConfigureAwait(false);
        return Judge(Volatile.Read(ref cleanups), evidence);
    }

    private static StopAttempt Judge(int cleanups, StopEvidence evidence)
    {
        evidence.Add(StopEvidenceNames.ConcurrentStops);
        if (cleanups <= 1)
        {
            return StopAttempt.Clean;
        }

        evidence.Add(StopEvidenceNames.DoubleCleanups, cleanups - 1);
        return StopAttempt.Recorded();
    }

    /// <summary>Two dedicated threads, let go together, so the stops really overlap.</summary>
    private static async Task StopFromTwoThreadsAsync(Action stop)
    {
        using var go = new ManualResetEventSlim();
        var first = Task.Factory.StartNew(() => { go.Wait(); stop(); }, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
        var second = Task.Factory.StartNew(() => { go.Wait(); stop(); }, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
        go.Set();
        await Task.WhenAll(first, second).ConfigureAwait(false);
    }
}
