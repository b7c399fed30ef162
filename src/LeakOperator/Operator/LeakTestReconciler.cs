using LeakOperator.Controller.Reconciling;
using LeakOperator.Controller.Resources;
using LeakOperator.Leaks;
using LeakOperator.Leaks.Injections;
using LeakOperator.Leaks.Tasks.Patterns;
using LeakOperator.Operator.Api;

namespace LeakOperator.Operator;

/// <summary>
/// The only place that knows both Kubernetes and leaks: runs one injection per LeakTest generation, reports it in
/// status, conditions and events, and releases it when the test is deleted, changed, or this instance stops.
/// </summary>
/// <param name="directReconciled">Told each direct reconcile's result (the <c>reconcile-storm-direct</c> bug).</param>
internal sealed class LeakTestReconciler(
    CustomResourceClient<LeakTest> client,
    InjectionTracker tracker,
    StatusWriter status,
    EventRecorder events,
    ReconcileRequests requests,
    StatusPacing pacing,
    TimeProvider time,
    Action<string>? directReconciled = null) : IReconciler<LeakTest>
{
    private readonly DirectReconciler _direct = new(client, tracker, time, directReconciled);

    private DateTime Now => time.GetUtcNow().UtcDateTime;

    public async Task<ReconcileResult> ReconcileAsync(LeakTest obj, CancellationToken cancellationToken)
    {
        var owner = new LeakOwner(obj.Metadata.NamespaceProperty, obj.Metadata.Name);
        long generation = obj.Metadata.Generation ?? 0;
        if (obj.ForceReleaseRequested)
        {
            // The worst-case lever: release now, whatever the mode or phase, and stay released while annotated.
            long? released = await tracker.ReleaseAsync(owner).ConfigureAwait(false);
            await status.WriteAsync(obj, s => StatusProjection.ForceReleased(s, generation, Now), cancellationToken).ConfigureAwait(false);
            await events.RecordAsync(obj, LeakTestEvents.ForceReleased(released), cancellationToken).ConfigureAwait(false);
            return ReconcileResult.Done;
        }

        var (spec, problem) = SpecTranslation.Translate(obj.Spec);
        if (problem is not null)
        {
            await tracker.ReleaseAsync(owner).ConfigureAwait(false);
            await status.WriteAsync(obj, s => StatusProjection.Invalid(s, problem, generation, Now), cancellationToken).ConfigureAwait(false);
            await events.RecordAsync(obj, LeakTestEvents.InvalidSpec(obj.Status, problem), cancellationToken).ConfigureAwait(false);
            return ReconcileResult.Done;
        }

        if (tracker.TryGet(owner, out var tracked) && (tracked.Generation != generation || tracked.Uid != obj.Metadata.Uid))
        {
            // A spec change restarts the injection: what the old spec leaked is released first.
            await tracker.ReleaseAsync(owner).ConfigureAwait(false);
            tracked = null;
        }

        if (tracked is null && StatusProjection.FinishedBefore(obj.Status, generation))
        {
            return ReconcileResult.Done;
        }

        tracked ??= await StartAsync(obj, owner, spec!, generation, cancellationToken).ConfigureAwait(false);

        // A reconcile-driven leak (the reconcile storm) does here what the leaking controller's reconcile does.
        tracked.Injection.OnReconcile();
        return await RefreshAsync(obj, tracked, generation, cancellationToken).ConfigureAwait(false);
    }

    public async Task FinalizeAsync(LeakTest obj, CancellationToken cancellationToken)
    {
        var owner = new LeakOwner(obj.Metadata.NamespaceProperty, obj.Metadata.Name);
        long? released = await tracker.ReleaseAsync(owner).ConfigureAwait(false);
        await events.RecordAsync(obj, LeakTestEvents.Released(released), cancellationToken).ConfigureAwait(false);
    }

    public async Task DeletedAsync(ObjectKey key, CancellationToken cancellationToken) =>
        await tracker.ReleaseAsync(new LeakOwner(key.Namespace, key.Name)).ConfigureAwait(false);

    public Task StoppedAsync() => tracker.ReleaseAllAsync();

    private async Task<TrackedInjection> StartAsync(LeakTest obj, LeakOwner owner, InjectionSpec spec, long generation, CancellationToken cancellationToken)
    {
        var key = new ObjectKey(owner.Namespace, owner.Name);
        Func<CancellationToken, Task>? reconcileDirectly =
            spec.TaskPattern.NeedsDirectReconciles() ? token => _direct.ReconcileAsync(key, token) : null;
        var tracked = await tracker.StartAsync(owner, spec, generation, obj.Metadata.Uid, () => requests.Request(key), reconcileDirectly)
            .ConfigureAwait(false);
        await events.RecordAsync(obj, LeakTestEvents.Started(spec), cancellationToken).ConfigureAwait(false);
        return tracked;
    }

    private async Task<ReconcileResult> RefreshAsync(LeakTest obj, TrackedInjection tracked, long generation, CancellationToken cancellationToken)
    {
        // Read once: both intervals should see the same number.
        int injections = tracker.Count;

        // The phase decides the requeue, so it is read before the status is projected: a requeue decided on a newer
        // phase (Done) than the one written would leave that older phase in status for good (seen: a safe test that
        // stayed "Injecting"). Phases only move forward, so the projection sees this phase or a later one.
        var phase = tracked.Injection.Phase;
        var write = await status.RefreshAsync(obj, s => StatusProjection.Observe(s, tracked.Read(), generation, Now), tracked, injections, cancellationToken).ConfigureAwait(false);
        if (write.Outcome == StatusWriteOutcome.LostToConflict)
        {
            return ReconcileResult.After(StatusPacing.MinStatusWriteInterval);
        }

        // Compared with the status as this pass left it (written, or already so): a phase the direct storm wrote
        // first is still announced once, by the queued pass.
        if (write.Status is { } written)
        {
            var injection = tracked.Injection;
            var transitions = LeakTestEvents.Transitions(obj.Status, written, injection.Spec.UnitName(), injection.Ledger.CapReason);
            await events.RecordAsync(obj, transitions, cancellationToken).ConfigureAwait(false);
        }

        return pacing.RefreshAfter(phase, injections) is { } next ? ReconcileResult.After(next) : ReconcileResult.Done;
    }
}
