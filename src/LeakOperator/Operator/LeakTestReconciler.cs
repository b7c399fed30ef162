using System.Collections.Concurrent;
using LeakOperator.Controller.Reconciling;
using LeakOperator.Controller.Resources;
using LeakOperator.Leaks;
using LeakOperator.Leaks.Analysis;
using LeakOperator.Leaks.Injection;
using LeakOperator.Leaks.Tasks.Patterns;
using LeakOperator.Operator.Api;
using Microsoft.Extensions.Logging;

namespace LeakOperator.Operator;

/// <summary>
/// The only place that knows both Kubernetes and leaks: runs one injection per LeakTest generation, reports it in
/// status, conditions and events, and releases it when the test is deleted, changed, or this instance stops.
/// </summary>
public sealed partial class LeakTestReconciler(
    CustomResourceClient<LeakTest> client,
    InjectionFactory factory,
    InjectionInventory inventory,
    EventRecorder events,
    Action onStatusConflict,
    ILogger<LeakTestReconciler> logger,
    ReconcileRequests requests,
    StatusPacing? pacing = null,
    TimeProvider? time = null,
    Action<string>? directReconciled = null) : IReconciler<LeakTest>
{
    /// <summary>
    /// Status is written at most this often per LeakTest (longer when many inject, see <see cref="StatusPacing"/>)
    /// unless something a user acts on changes (phase, a condition, the generation): a storm of reconciles must not
    /// become a storm of writes and watch events.
    /// </summary>
    public static readonly TimeSpan MinStatusWriteInterval = TimeSpan.FromSeconds(1);

    /// <summary>How often status is refreshed while a test injects (longer when many inject).</summary>
    public static readonly TimeSpan InjectingRefresh = TimeSpan.FromSeconds(2);

    /// <summary>How often status is refreshed while a leaky test holds what it leaked (longer when many inject).</summary>
    public static readonly TimeSpan HoldingRefresh = TimeSpan.FromSeconds(15);

    private readonly TimeProvider _time = time ?? TimeProvider.System;
    private readonly StatusPacing _pacing = pacing ?? new StatusPacing(StatusPacing.DefaultRefreshesPerSecond);
    private readonly ConcurrentDictionary<LeakOwner, TrackedInjection> _tracked = new();

    public async Task<ReconcileResult> ReconcileAsync(LeakTest obj, CancellationToken cancellationToken)
    {
        var owner = new LeakOwner(obj.Metadata.NamespaceProperty, obj.Metadata.Name);
        if (obj.Metadata.Annotations?.TryGetValue(LeakTest.ForceReleaseAnnotation, out var force) == true && force == "true")
        {
            return await ForceReleaseAsync(obj, owner, cancellationToken).ConfigureAwait(false);
        }

        var (spec, problem) = SpecTranslation.Translate(obj.Spec);
        if (problem is not null)
        {
            await ReleaseAsync(owner).ConfigureAwait(false);
            await WriteStatusAsync(obj, status => Invalid(status, obj, problem), cancellationToken).ConfigureAwait(false);
            if (!ConditionSet.IsTrue(obj.Status?.Conditions, LeakTestConditions.InvalidSpec))
            {
                await events.RecordAsync(obj, "Warning", "InvalidSpec", problem.Message, cancellationToken).ConfigureAwait(false);
            }

            return ReconcileResult.Done;
        }

        long generation = obj.Metadata.Generation ?? 0;
        if (_tracked.TryGetValue(owner, out var tracked) && (tracked.Generation != generation || tracked.Uid != obj.Metadata.Uid))
        {
            // A spec change restarts the injection: what the old spec leaked is released first.
            await ReleaseAsync(owner).ConfigureAwait(false);
            tracked = null;
        }

        if (tracked is null)
        {
            if (FinishedBefore(obj, generation))
            {
                return ReconcileResult.Done;
            }

            tracked = Start(owner, spec!, obj, generation);
            await events.RecordAsync(obj, "Normal", "InjectionStarted", $"Injecting {spec!.Type.ToWire()} ({spec.Mode.ToWire()}) at {spec.RatePerSecond}/s for {spec.Duration.TotalSeconds:0} s, at most {spec.MaxUnits} units", cancellationToken).ConfigureAwait(false);
        }

        // A reconcile-driven leak (the reconcile storm) does here what the leaking controller's reconcile does.
        tracked.Injection.OnReconcile();

        // Read once: ConcurrentDictionary.Count takes every lock, and both intervals should see the same number.
        int injections = _tracked.Count;

        // The phase decides the requeue below, so it is read before the status is projected: the injection may
        // finish while the status is being written, and a requeue decided on the newer phase (Done) would leave the
        // older one in status for good (seen: a safe test that stayed "Injecting" after its injection completed).
        // Phases only move forward, so the projection sees this phase or a later one, never an earlier one.
        var phase = tracked.Injection.Phase;
        var before = obj.Status;
        LeakTest? written;
        try
        {
            written = await WriteStatusAsync(obj, status => Observe(status, tracked, generation), cancellationToken, (tracked, _pacing.MinWriteInterval(MinStatusWriteInterval, injections))).ConfigureAwait(false);
        }
        catch (k8s.Autorest.HttpOperationException e) when (e.Response.StatusCode == System.Net.HttpStatusCode.Conflict)
        {
            // A refresh lost to a concurrent write (the direct storm writes this status many times a second), or a
            // significant write that lost every retry: not retried here.
            // The next pass reads the object from the cache again, where a deletion that arrived meanwhile is seen,
            // instead of holding the key through up to eight read-and-write rounds while the deletion waits behind it.
            onStatusConflict();
            return ReconcileResult.After(MinStatusWriteInterval);
        }

        await RecordTransitionsAsync(obj, before, written?.Status, tracked, cancellationToken).ConfigureAwait(false);
        return phase switch
        {
            InjectionPhase.Injecting or InjectionPhase.Pending => ReconcileResult.After(_pacing.RefreshInterval(InjectingRefresh, injections)),
            InjectionPhase.Holding => ReconcileResult.After(_pacing.RefreshInterval(HoldingRefresh, injections)),
            _ => ReconcileResult.Done,
        };
    }

    public async Task FinalizeAsync(LeakTest obj, CancellationToken cancellationToken)
    {
        var owner = new LeakOwner(obj.Metadata.NamespaceProperty, obj.Metadata.Name);
        if (await ReleaseAsync(owner).ConfigureAwait(false) is { } released)
        {
            await events.RecordAsync(obj, "Normal", "Released", $"Released {released} units before deletion", cancellationToken).ConfigureAwait(false);
        }
    }

    public async Task DeletedAsync(ObjectKey key, CancellationToken cancellationToken) =>
        await ReleaseAsync(new LeakOwner(key.Namespace, key.Name)).ConfigureAwait(false);

    public async Task StoppedAsync()
    {
        var owners = _tracked.Keys.ToList();
        await Task.WhenAll(owners.Select(owner => ReleaseAsync(owner))).ConfigureAwait(false);
        LogReleasedAll(logger, owners.Count);
    }

    /// <summary>The worst-case lever: release now, whatever the mode or phase, and stay released while annotated.</summary>
    private async Task<ReconcileResult> ForceReleaseAsync(LeakTest obj, LeakOwner owner, CancellationToken cancellationToken)
    {
        long? released = await ReleaseAsync(owner).ConfigureAwait(false);
        await WriteStatusAsync(
            obj,
            status =>
            {
                var now = _time.GetUtcNow().UtcDateTime;
                long generation = obj.Metadata.Generation ?? 0;
                status.Phase = LeakTestPhases.Completed;
                status.LeakedUnits = 0;
                status.ObservedGeneration = generation;
                string message = $"released on request ({LeakTest.ForceReleaseAnnotation}=true); remove the annotation to inject again";
                ConditionSet.Set(status.Conditions, LeakTestConditions.Ready, true, "ForceReleased", message, generation, now);
                ConditionSet.Set(status.Conditions, LeakTestConditions.Injecting, false, "ForceReleased", message, generation, now);
            },
            cancellationToken).ConfigureAwait(false);
        if (released is not null)
        {
            await events.RecordAsync(obj, "Normal", "ForceReleased", $"Released {released} units on request", cancellationToken).ConfigureAwait(false);
        }

        return ReconcileResult.Done;
    }

    private TrackedInjection Start(LeakOwner owner, InjectionSpec spec, LeakTest obj, long generation)
    {
        var key = new ObjectKey(owner.Namespace, owner.Name);
        var injection = factory.Create(
            owner,
            spec,
            () => requests.Request(key),
            spec.TaskPattern.NeedsDirectReconciles() ? cancellationToken => ReconcileDirectlyAsync(key, cancellationToken) : null);
        var tracked = new TrackedInjection(injection, generation, obj.Metadata.Uid, _time);
        _tracked[owner] = tracked;
        inventory.TryAdd(injection);
        injection.Start();
        LogStarted(logger, owner, spec.Type, spec.Mode, generation);
        return tracked;
    }

    /// <summary>
    /// The write-up's bug, on purpose, for <c>reconcile-storm-direct</c>: a leaked ticker's loop calls the reconcile
    /// itself, outside the work queue, as its <c>go func() { for range ticker.C { r.Reconcile(ctx, req) } }()</c> does.
    /// So reconciles of one object run concurrently, none de-duplicated by the queue. Each does the API work a real
    /// reconcile does: it reads the object, starts one more ticker, and writes status, uncoalesced and not retried
    /// (the goroutine drops the error, so a write that loses the race to another is simply lost).
    /// </summary>
    private async Task ReconcileDirectlyAsync(ObjectKey key, CancellationToken cancellationToken)
    {
        string result = "success";
        try
        {
            var obj = await client.GetAsync(key, cancellationToken).ConfigureAwait(false);
            if (obj is null || !_tracked.TryGetValue(new LeakOwner(key.Namespace, key.Name), out var tracked) || tracked.Uid != obj.Metadata.Uid)
            {
                return;
            }

            tracked.Injection.OnReconcile();
            obj.Status ??= new LeakTestStatus();
            Observe(obj.Status, tracked, obj.Metadata.Generation ?? 0);
            await client.ReplaceStatusAsync(obj, cancellationToken).ConfigureAwait(false);
        }
        catch (k8s.Autorest.HttpOperationException e) when (e.Response.StatusCode == System.Net.HttpStatusCode.Conflict)
        {
            result = "conflict";
            throw;
        }
        catch (Exception)
        {
            result = "error";
            throw;
        }
        finally
        {
            directReconciled?.Invoke(result);
        }
    }

    /// <summary>
    /// A safe test of this generation that already completed (seen in status, e.g. after an operator restart) is not
    /// injected again: it has nothing to hold.
    /// </summary>
    private static bool FinishedBefore(LeakTest obj, long generation) =>
        obj.Status is { Phase: LeakTestPhases.Completed } status
        && status.ObservedGeneration == generation
        && !status.Conditions.Any(c => c.Type == LeakTestConditions.Ready && c.Reason == "ForceReleased");

    /// <summary>Gives back everything the owner's injection holds; returns how many units, or null if it had none.</summary>
    private async Task<long?> ReleaseAsync(LeakOwner owner)
    {
        if (!_tracked.TryRemove(owner, out var tracked))
        {
            return null;
        }

        long held = tracked.Injection.Ledger.Held;
        await tracked.DisposeAsync().ConfigureAwait(false);
        inventory.TryRemove(owner, out _);
        LogReleased(logger, owner, held);
        return held;
    }

    private void Observe(LeakTestStatus status, TrackedInjection tracked, long generation)
    {
        var injection = tracked.Injection;
        var now = _time.GetUtcNow().UtcDateTime;
        var (slope, verdict) = tracked.Judge();
        string phase = injection.Phase switch
        {
            InjectionPhase.Pending => LeakTestPhases.Pending,
            InjectionPhase.Injecting => LeakTestPhases.Injecting,
            InjectionPhase.Holding => LeakTestPhases.Holding,
            InjectionPhase.Releasing => LeakTestPhases.Releasing,
            _ => LeakTestPhases.Completed,
        };
        status.Phase = phase;
        status.LeakedUnits = injection.MeasureLive();
        status.InjectedUnits = injection.Ledger.Injected;
        status.ReleasedUnits = injection.Ledger.Released;
        status.UnitsPerMinute = Math.Round(slope, 1);
        status.Verdict = verdict?.ToString();
        status.StartedAt = injection.StartedAt?.UtcDateTime;
        status.CompletedAt = injection.InjectionEndedAt?.UtcDateTime;
        status.Pattern = injection.Pattern;
        status.Evidence = injection.Evidence().ToDictionary(e => e.Key, e => e.Value, StringComparer.Ordinal);
        status.ObservedGeneration = generation;
        bool injecting = injection.Phase is InjectionPhase.Injecting or InjectionPhase.Pending;
        ConditionSet.Set(status.Conditions, LeakTestConditions.Ready, true, phase, ReadyMessage(phase, injection), generation, now);
        ConditionSet.Set(status.Conditions, LeakTestConditions.Injecting, injecting, injecting ? "InjectionRunning" : "InjectionEnded", injecting ? $"injecting until {injection.StartedAt + injection.Spec.Duration:u}" : "the injection time is over", generation, now);
        ConditionSet.Set(status.Conditions, LeakTestConditions.Leaking, verdict == Verdict.Leaking, verdict?.ToString() ?? "NotJudgedYet", $"growth {slope:0.#} units/min while injecting", generation, now);
        ConditionSet.Set(status.Conditions, LeakTestConditions.InvalidSpec, false, "Valid", "the spec is valid", generation, now);
        string? cap = injection.Ledger.CapReason;
        ConditionSet.Set(status.Conditions, LeakTestConditions.Capped, cap is not null, cap is null ? "WithinCaps" : "CapReached", cap ?? "no cap has engaged", generation, now);
    }

    private void Invalid(LeakTestStatus status, LeakTest obj, SpecTranslation.Problem problem)
    {
        var now = _time.GetUtcNow().UtcDateTime;
        long generation = obj.Metadata.Generation ?? 0;
        status.Phase = LeakTestPhases.Failed;
        status.LeakedUnits = 0;
        status.Verdict = null;
        status.ObservedGeneration = generation;
        ConditionSet.Set(status.Conditions, LeakTestConditions.InvalidSpec, true, problem.Reason, problem.Message, generation, now);
        ConditionSet.Set(status.Conditions, LeakTestConditions.Ready, false, problem.Reason, problem.Message, generation, now);
        ConditionSet.Set(status.Conditions, LeakTestConditions.Injecting, false, "InvalidSpec", "nothing is injected for an invalid spec", generation, now);
    }

    private static string ReadyMessage(string phase, Injection injection) => phase switch
    {
        LeakTestPhases.Injecting => $"injecting {injection.Spec.Type.ToWire()} in {injection.Spec.Mode.ToWire()} mode",
        LeakTestPhases.Holding => "injection over; the leaky test holds what it leaked until it is deleted",
        LeakTestPhases.Completed => "injection over; everything is released",
        _ => phase,
    };

    /// <param name="coalesce">When given, a write that changes only numbers waits until the paced interval (at least
    /// <see cref="MinStatusWriteInterval"/>) has passed since this injection's last write (the next refresh writes it);
    /// and its conflict is thrown at once instead of retried, for the same reason. A significant change (phase,
    /// generation, a condition) is retried on a conflict: a spec change lost to a refresh in flight must not wait a
    /// second for the next pass (it did: bystander probes of about 1 s in an otherwise 20 ms run).</param>
    private async Task<LeakTest?> WriteStatusAsync(LeakTest obj, Action<LeakTestStatus> change, CancellationToken cancellationToken, (TrackedInjection Injection, TimeSpan Within)? coalesce = null)
    {
        bool significant = true;
        return await ConflictRetry.WriteAsync(
            client,
            obj,
            latest =>
            {
                var before = Serialize(latest.Status);
                string significantBefore = Significant(latest.Status);
                latest.Status ??= new LeakTestStatus();
                change(latest.Status);

                // Nothing to write when nothing changed: a write would wake every watcher for nothing.
                if (Serialize(latest.Status) == before)
                {
                    return false;
                }

                if (coalesce is not { } pending)
                {
                    return true;
                }

                significant = Significant(latest.Status) != significantBefore;
                bool now = significant || !pending.Injection.WroteStatusWithin(pending.Within);
                if (now)
                {
                    pending.Injection.StatusWritten();
                }

                return now;
            },
            client.ReplaceStatusAsync,
            onStatusConflict,
            cancellationToken,
            retryConflict: () => significant).ConfigureAwait(false);
    }

    /// <summary>What a user acts on: a change here is written at once, never coalesced.</summary>
    private static string Significant(LeakTestStatus? status) =>
        status is null ? "" : $"{status.Phase}|{status.ObservedGeneration}|{string.Join(',', status.Conditions.Select(c => $"{c.Type}={c.Status}"))}";

    private async Task RecordTransitionsAsync(LeakTest obj, LeakTestStatus? before, LeakTestStatus? after, TrackedInjection tracked, CancellationToken cancellationToken)
    {
        if (after is null)
        {
            return;
        }

        if (before?.Phase != after.Phase && after.Phase is LeakTestPhases.Holding or LeakTestPhases.Completed)
        {
            string message = after.Phase == LeakTestPhases.Holding
                ? $"Injection over: holding {after.LeakedUnits} {tracked.Injection.Spec.UnitName()}; verdict {after.Verdict}"
                : $"Injection over: everything released; verdict {after.Verdict}";
            await events.RecordAsync(obj, "Normal", after.Phase == LeakTestPhases.Holding ? "Holding" : "Completed", message, cancellationToken).ConfigureAwait(false);
        }

        if (!ConditionSet.IsTrue(before?.Conditions, LeakTestConditions.Capped) && ConditionSet.IsTrue(after.Conditions, LeakTestConditions.Capped))
        {
            await events.RecordAsync(obj, "Warning", "Capped", tracked.Injection.Ledger.CapReason ?? "a cap engaged", cancellationToken).ConfigureAwait(false);
        }
    }

    private static string Serialize(LeakTestStatus? status) => status is null ? "" : k8s.KubernetesJson.Serialize(status);

    [LoggerMessage(Level = LogLevel.Information, Message = "Injecting for {Owner}: {LeakType} {Mode} (generation {Generation})")]
    private static partial void LogStarted(ILogger logger, LeakOwner owner, LeakType leakType, LeakMode mode, long generation);

    [LoggerMessage(Level = LogLevel.Information, Message = "Released {Owner}: {Units} units")]
    private static partial void LogReleased(ILogger logger, LeakOwner owner, long units);

    [LoggerMessage(Level = LogLevel.Information, Message = "Released every injection ({Count})")]
    private static partial void LogReleasedAll(ILogger logger, int count);
}
