namespace LeakOperator.Controller.Watching;

/// <summary>
/// Whether a watch is doing its job, for /readyz: it has listed at least once and is not failing over and over.
/// A watch that died is never silent: it shows here, in the log and in the reconnect counter.
/// </summary>
public sealed class WatchHealth
{
    /// <summary>Consecutive failures after which the watch is reported unhealthy.</summary>
    public const int FailureThreshold = 3;

    private int _consecutiveFailures;
    private int _synced;
    private string? _lastError;

    public bool HasSynced => Volatile.Read(ref _synced) == 1;

    public int ConsecutiveFailures => Volatile.Read(ref _consecutiveFailures);

    public string? LastError => Volatile.Read(ref _lastError);

    public bool IsHealthy => HasSynced && ConsecutiveFailures < FailureThreshold;

    public void Synced()
    {
        Volatile.Write(ref _synced, 1);
        Succeeded();
    }

    public void Succeeded() => Volatile.Write(ref _consecutiveFailures, 0);

    public void Failed(Exception error)
    {
        Volatile.Write(ref _lastError, error.Message);
        Interlocked.Increment(ref _consecutiveFailures);
    }

    public string Describe() => IsHealthy
        ? "watching"
        : HasSynced ? $"watch failing ({ConsecutiveFailures} times): {LastError}" : $"not synced yet{(LastError is null ? "" : $": {LastError}")}";
}
