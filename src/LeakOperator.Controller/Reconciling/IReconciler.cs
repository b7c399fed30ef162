using k8s;
using k8s.Models;
using LeakOperator.Controller.Resources;

namespace LeakOperator.Controller.Reconciling;

/// <summary>
/// The one thing a controller author writes. The runtime adds and removes the finalizer; the reconciler only says
/// what to do for a live object, what to release before the object may go, and what to do when it is gone.
/// </summary>
public interface IReconciler<in T>
    where T : class, IKubernetesObject<V1ObjectMeta>
{
    /// <summary>Brings the world in line with <paramref name="obj"/>; called with a private copy it may change.</summary>
    Task<ReconcileResult> ReconcileAsync(T obj, CancellationToken cancellationToken);

    /// <summary>Releases what the object holds; the finalizer is removed only after this succeeds.</summary>
    Task FinalizeAsync(T obj, CancellationToken cancellationToken);

    /// <summary>
    /// The object is gone from the API: called whenever a queued key is no longer in the cache, so at least once per
    /// deletion (after <see cref="FinalizeAsync"/> when our finalizer was on it; alone when the object was deleted while
    /// we were away or never had our finalizer) and again for a requeue that outlived it. So it must be idempotent:
    /// release what is still held, if anything.
    /// </summary>
    Task DeletedAsync(ObjectKey key, CancellationToken cancellationToken);

    /// <summary>This instance stops reconciling (leadership lost, shutdown): release everything it holds.</summary>
    Task StoppedAsync();
}
