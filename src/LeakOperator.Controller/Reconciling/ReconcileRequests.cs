using LeakOperator.Controller.Resources;

namespace LeakOperator.Controller.Reconciling;

/// <summary>
/// Lets code outside the watch ask for a reconcile — a timer, another system — the way controller-runtime's channel
/// source does. Requests go into the controller's work queue, so they are de-duplicated like watch events; while no
/// controller runs (not leader, shut down) they are dropped.
/// </summary>
public sealed class ReconcileRequests
{
    private Action<ObjectKey>? _sink;

    /// <summary>Asks for a reconcile of <paramref name="key"/>; cheap, never blocks.</summary>
    public void Request(ObjectKey key) => Volatile.Read(ref _sink)?.Invoke(key);

    /// <summary>Where requests go from now on; a controller attaches its queue here.</summary>
    internal void Attach(Action<ObjectKey> sink) => Volatile.Write(ref _sink, sink);
}
