namespace LeakOperator.Leaks.Tasks.StopFailures;

/// <summary>
/// Naive, on purpose — failure 5, .NET's own twin: cancelling a PeriodicTimer loop's token ends the loop, but the
/// timer its owner still holds stays scheduled in the runtime's timer queue until it is disposed.
/// </summary>
public sealed class CancelWithoutDispose
{
    private readonly CancellationTokenSource _cancel = new();

    public CancelWithoutDispose(TimeSpan period)
    {
        Timer = new PeriodicTimer(period);
        Loop = RunAsync(_cancel.Token);
    }

    /// <summary>Still referenced by its owner: this is what keeps it scheduled.</summary>
    public PeriodicTimer Timer { get; }

    public Task Loop { get; }

    /// <summary>The naive "stop": cancel and forget to dispose.</summary>
    public void Cancel() => _cancel.Cancel();

    private async Task RunAsync(CancellationToken cancel)
    {
        try
        {
            while (await Timer.WaitForNextTickAsync(cancel).ConfigureAwait(false))
            {
            }
        }
        catch (OperationCanceledException)
        {
            // The loop ends here; the timer does not.
        }
    }
}
