using System.Net;
using k8s.Autorest;
using LeakOperator.Controller.Instrumentation;
using LeakOperator.Controller.Reconciling;
using LeakOperator.Controller.Resources;
using LeakOperator.Operator.Api;

namespace LeakOperator.Operator;

/// <summary>What a status write did.</summary>
internal enum StatusWriteOutcome
{
    /// <summary>Sent and accepted.</summary>
    Written,

    /// <summary>Nothing to send: the status already said this.</summary>
    Unchanged,

    /// <summary>Only numbers changed, and this injection's status was written within the paced interval.</summary>
    Deferred,

    /// <summary>A refresh lost to a concurrent write, and was not retried.</summary>
    LostToConflict,

    /// <summary>The LeakTest is gone.</summary>
    Gone,
}

/// <summary>A status write's outcome, and the status it left (as written, or as read) when there is one.</summary>
internal readonly record struct StatusWrite(StatusWriteOutcome Outcome, LeakTestStatus? Status);

/// <summary>
/// Writes LeakTest status so that a storm of reconciles does not become a storm of writes and watch events: nothing
/// is sent when nothing changed; a refresh that changes only numbers waits until the paced interval has passed since
/// its injection's last write (the next refresh sends it); a change a user acts on (see
/// <see cref="StatusProjection.Significant"/>) is sent at once and retried on a conflict. Counts every conflict it
/// retries or gives up on in a refresh; one that outlasts <see cref="WriteAsync"/>'s retries is thrown to the caller.
/// </summary>
internal sealed class StatusWriter(CustomResourceClient<LeakTest> client, StatusPacing pacing, ControllerMetrics metrics, string controller)
{
    /// <summary>Writes <paramref name="change"/> now, retrying conflicts, unless it changes nothing.</summary>
    public async Task<StatusWrite> WriteAsync(LeakTest obj, Action<LeakTestStatus> change, CancellationToken cancellationToken)
    {
        var outcome = await ConflictRetry.WriteAsync(client, obj, latest => Apply(latest, change), client.ReplaceStatusAsync, Conflicted, cancellationToken)
            .ConfigureAwait(false);
        return Result(outcome, deferred: false);
    }

    /// <summary>
    /// Refreshes a running injection's status: numbers-only changes are paced per injection (<paramref name="injections"/>
    /// share the operator-wide rate), and lose a conflict at once instead of being retried, so a refresh racing another
    /// write (the direct storm writes this status many times a second) costs no extra read and does not hold the key.
    /// A significant change is retried: a spec change lost to a refresh in flight must not wait for the next pass (it
    /// did: bystander probes of about 1 s in an otherwise 20 ms run).
    /// </summary>
    public async Task<StatusWrite> RefreshAsync(
        LeakTest obj,
        Action<LeakTestStatus> change,
        TrackedInjection tracked,
        int injections,
        CancellationToken cancellationToken)
    {
        var within = pacing.MinWriteInterval(StatusPacing.MinStatusWriteInterval, injections);
        bool significant = true;
        bool deferred = false;
        try
        {
            var outcome = await ConflictRetry.WriteAsync(
                client,
                obj,
                latest =>
                {
                    string significantBefore = StatusProjection.Significant(latest.Status);
                    if (!Apply(latest, change))
                    {
                        return false;
                    }

                    significant = StatusProjection.Significant(latest.Status) != significantBefore;
                    deferred = !significant && tracked.WroteStatusWithin(within);
                    if (!deferred)
                    {
                        tracked.StatusWritten();
                    }

                    return !deferred;
                },
                client.ReplaceStatusAsync,
                Conflicted,
                cancellationToken,
                retryConflict: () => significant).ConfigureAwait(false);
            return Result(outcome, deferred);
        }
        catch (HttpOperationException e) when (e.Response.StatusCode == HttpStatusCode.Conflict)
        {
            // A refresh lost to a concurrent write, or a significant write that lost every retry. The next pass reads
            // the object from the cache again, where a deletion that arrived meanwhile is seen.
            Conflicted();
            return new(StatusWriteOutcome.LostToConflict, null);
        }
    }

    /// <summary>Applies the change; false when it changes nothing (a write would wake every watcher for nothing).</summary>
    private static bool Apply(LeakTest latest, Action<LeakTestStatus> change)
    {
        string before = Serialize(latest.Status);
        latest.Status ??= new LeakTestStatus();
        change(latest.Status);
        return Serialize(latest.Status) != before;
    }

    private static StatusWrite Result(ConflictRetry.Outcome<LeakTest> outcome, bool deferred) => outcome switch
    {
        { Latest: null } => new(StatusWriteOutcome.Gone, null),
        { Written: true } => new(StatusWriteOutcome.Written, outcome.Latest.Status),
        _ => new(deferred ? StatusWriteOutcome.Deferred : StatusWriteOutcome.Unchanged, outcome.Latest.Status),
    };

    private static string Serialize(LeakTestStatus? status) => status is null ? "" : k8s.KubernetesJson.Serialize(status);

    private void Conflicted() => metrics.StatusConflict(controller);
}
