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
            return await ForceReleaseAsync(obj, owner, generation, cancellationToken).ConfigureAwait(false);
        }

        var (spec, problem) = SpecTranslation.Translate(obj.Spec);
        if (problem is not null)
        {
            return await RejectAsync(obj, owner, generation, problem, cancellationToken).ConfigureAwait(false);
        }

        if (tracker.TryGet(owner, out var tracked) && (tracked.Generation != generation || tracked.Uid != obj.Metadata.Uid))
        {
            // A spec change restarts the injection: what the old spec leaked is released first.
            await tracker.ReleaseAsync(owner).ConfigureAwait(false);
            tracked = null;
        }

        if (tracked is null)
        {
            if (StatusProjection.FinishedBefore(obj.Status, generation))
            {
                return ReconcileResult.Done;
            }

            tracked = await StartAsync(obj, owner, spec!, generation, cancellationToken).ConfigureAwait(false);
        }

        // A reconcile-driven leak (the reconcile storm) does here what the leaking controller's reconcile does.
        tracked.Injection.OnReconcile();
        return await RefreshAsync(obj, tracked, generation, cancellationToken).ConfigureAwait(false);
    }

    public async Task FinalizeAsync(LeakTest obj, CancellationToken cancellationToken)
    {
        if (await tracker.ReleaseAsync(new LeakOwner(obj.Metadata.NamespaceProperty, obj.Metadata.Name)).ConfigureAwait(false) is { } released)
        {
            await RecordAsync(obj, LeakTestEvents.Released(released), cancellationToken).ConfigureAwait(false);
        }
    }

    public async Task DeletedAsync(ObjectKey key, CancellationToken cancellationToken) =>
        await tracker.ReleaseAsync(new LeakOwner(key.Namespace, key.Name)).ConfigureAwait(false);

    public Task StoppedAsync() => tracker.ReleaseAllAsync();

    private async Task<TrackedInjection> StartAsync(LeakTest obj, LeakOwner owner, InjectionSpec spec, long generation, CancellationToken cancellationToken)
    {
        var key = new ObjectKey(owner.Namespace, owner.Name);
        var tracked = tracker.Start(
            owner,
            spec,
            generation,
            obj.Metadata.Uid,
            () => requests.Request(key),
            spec.TaskPattern.NeedsDirectReconciles() ? token => _direct.ReconcileAsync(key, token) : null);
        await RecordAsync(obj, LeakTestEvents.Started(spec), cancellationToken).ConfigureAwait(false);
        return tracked;
    }

    private async Task<ReconcileResult> RefreshAsync(LeakTest obj, TrackedInjection tracked, long generation, CancellationToken cancellationToken)
    {
        // Read once: both intervals should see the same number.
        int injections = tracker.Count;

        // The phase decides the requeue below, so it is read before the status is projected: the injection may
        // finish while the status is being written, and a requeue decided on the newer phase (Done) would leave the
        // older one in status for good (seen: a safe test that stayed "Injecting" after its injection completed).
        // Phases only move forward, so the projection sees this phase or a later one, never an earlier one.
        var phase = tracked.Injection.Phase;
        var write = await status.RefreshAsync(obj, s => StatusProjection.Observe(s, tracked.Read(), generation, Now), tracked, injections, cancellationToken).ConfigureAwait(false);
        if (write.Outcome == StatusWriteOutcome.LostToConflict)
        {
            return ReconcileResult.After(StatusPacing.MinStatusWriteInterval);
        }

        // As before the split: compared with the status as this pass left it (written, or already so), so a phase the
        // direct storm wrote first is still announced once by the queued pass.
        if (write.Status is { } written)
        {
            var injection = tracked.Injection;
            foreach (var e in LeakTestEvents.Transitions(obj.Status, written, injection.Spec.UnitName(), injection.Ledger.CapReason))
            {
                await RecordAsync(obj, e, cancellationToken).ConfigureAwait(false);
            }
        }

        return pacing.RefreshAfter(phase, injections) is { } next ? ReconcileResult.After(next) : ReconcileResult.Done;
    }

    private async Task<ReconcileResult> RejectAsync(LeakTest obj, LeakOwner owner, long generation, SpecTranslation.Problem problem, CancellationToken cancellationToken)
    {
        await tracker.ReleaseAsync(owner).ConfigureAwait(false);
        await status.WriteAsync(obj, s => StatusProjection.Invalid(s, problem, generation, Now), cancellationToken).ConfigureAwait(false);
        if (!ConditionSet.IsTrue(obj.Status?.Conditions, LeakTestConditions.InvalidSpec))
        {
            await RecordAsync(obj, LeakTestEvents.InvalidSpec(problem), cancellationToken).ConfigureAwait(false);
        }

        return ReconcileResult.Done;
    }

    /// <summary>The worst-case lever: release now, whatever the mode or phase, and stay released while annotated.</summary>
    private async Task<ReconcileResult> ForceReleaseAsync(LeakTest obj, LeakOwner owner, long generation, CancellationToken cancellationToken)
    {
        long? released = await tracker.ReleaseAsync(owner).ConfigureAwait(false);
        await status.WriteAsync(obj, s => StatusProjection.ForceReleased(s, generation, Now), cancellationToken).ConfigureAwait(false);
        if (released is not null)
        {
            await RecordAsync(obj, LeakTestEvents.ForceReleased(released.Value), cancellationToken).ConfigureAwait(false);
        }

        return ReconcileResult.Done;
    }

    private Task RecordAsync(LeakTest obj, LeakTestEvent e, CancellationToken cancellationToken) =>
        events.RecordAsync(obj, e.Type, e.Reason, e.Message, cancellationToken);
}
