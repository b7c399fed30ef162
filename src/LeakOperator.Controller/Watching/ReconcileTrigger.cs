using k8s;
using k8s.Models;

namespace LeakOperator.Controller.Watching;

/// <summary>
/// Which watched changes need a reconcile (controller-runtime's predicates, built in): spec (generation), deletion,
/// annotations and finalizers do; the controller's own writes of status and of its finalizer do not.
/// </summary>
/// <param name="ownFinalizer">The finalizer the controller adds; null if it adds none.</param>
public sealed class ReconcileTrigger(string? ownFinalizer)
{
    /// <summary>True when <paramref name="current"/> is new, or differs from <paramref name="previous"/> in a way a reconcile acts on.</summary>
    public bool Fires<T>(T? previous, T current)
        where T : class, IKubernetesObject<V1ObjectMeta>
    {
        if (previous is null)
        {
            return true;
        }

        var (before, after) = (previous.Metadata, current.Metadata);

        // A status-only change is the controller's own status write: reacting to it would make every status update
        // trigger the next one.
        return before.Generation != after.Generation
            || before.DeletionTimestamp != after.DeletionTimestamp
            || !SameItems(before.Finalizers, WithoutOwnArrival(before.Finalizers, after.Finalizers))
            || !SameItems(before.Annotations?.Select(a => $"{a.Key}={a.Value}"), after.Annotations?.Select(a => $"{a.Key}={a.Value}"));
    }

    /// <summary>
    /// The finalizers after the change, without the controller's own if it has just arrived. The reconcile that added
    /// it goes on to do the rest in the same pass, so reconciling its arrival again would reconcile every new object
    /// twice: 2,000 reconciles for an operator starting into 1,000 objects. Its removal still fires: the controller
    /// puts it back.
    /// </summary>
    private IEnumerable<string>? WithoutOwnArrival(IList<string>? before, IList<string>? after) =>
        ownFinalizer is not null && before?.Contains(ownFinalizer) != true && after?.Contains(ownFinalizer) == true
            ? after.Where(f => f != ownFinalizer)
            : after;

    private static bool SameItems(IEnumerable<string>? a, IEnumerable<string>? b) =>
        (a ?? []).Order(StringComparer.Ordinal).SequenceEqual((b ?? []).Order(StringComparer.Ordinal), StringComparer.Ordinal);
}
