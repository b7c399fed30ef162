namespace LeakOperator.Controller.Reconciling;

/// <summary>What a reconcile asks of the runtime next. A failure is an exception thrown by the reconcile: the runtime
/// logs it and retries the key with its exponential backoff, as controller-runtime does with a returned error.</summary>
public sealed record ReconcileResult(TimeSpan? RequeueAfter = null)
{
    /// <summary>Done; reconcile again only when something changes.</summary>
    public static ReconcileResult Done { get; } = new();

    /// <summary>Done for now; look again after <paramref name="delay"/> (status refresh, timers).</summary>
    public static ReconcileResult After(TimeSpan delay) => new(delay);
}
