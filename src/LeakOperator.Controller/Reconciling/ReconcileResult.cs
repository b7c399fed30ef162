namespace LeakOperator.Controller.Reconciling;

/// <summary>What a reconcile asks of the runtime next.</summary>
public sealed record ReconcileResult(TimeSpan? RequeueAfter = null, Exception? Error = null)
{
    /// <summary>Done; reconcile again only when something changes.</summary>
    public static ReconcileResult Done { get; } = new();

    /// <summary>Done for now; look again after <paramref name="delay"/> (status refresh, timers).</summary>
    public static ReconcileResult After(TimeSpan delay) => new(delay);

    /// <summary>Failed; retry with this key's exponential backoff.</summary>
    public static ReconcileResult Failed(Exception error) => new(null, error);
}
