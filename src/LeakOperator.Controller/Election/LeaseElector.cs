using System.Net;
using k8s;
using k8s.Autorest;
using k8s.Models;
using Microsoft.Extensions.Logging;

namespace LeakOperator.Controller.Election;

/// <summary>
/// client-go's leader election over a coordination.k8s.io Lease, on the typed CoordinationV1 calls alone (the AOT
/// build of KubernetesClient has those, and no <c>k8s.LeaderElection</c>). One try reads the Lease and takes it when it
/// is absent, already ours, or not renewed by its holder for a lease duration; the write carries the version read, so
/// of two contenders only one wins.
/// </summary>
/// <remarks>
/// As in client-go, expiry is judged by when this instance last saw the record change, on its own monotonic clock, not
/// by the holder's <c>renewTime</c>: two machines' clocks need not agree.
/// </remarks>
internal sealed partial class LeaseElector(IKubernetes kubernetes, LeaderElectionOptions options, TimeProvider time, ILogger logger)
{
    private const double JitterFactor = 1.2;

    private string? _observedHolder;
    private string? _observedVersion;
    private long _observedAt;

    /// <summary>The holder seen changed (also to this instance), as client-go's <c>OnNewLeader</c>.</summary>
    public event Action<string>? NewLeader;

    /// <summary>Returns once this instance holds the Lease, trying every retry period with client-go's jitter.</summary>
    public async Task AcquireAsync(CancellationToken cancellationToken)
    {
        while (!await TryAcquireOrRenewAsync(cancellationToken).ConfigureAwait(false))
        {
            var wait = options.RetryPeriod * (1 + (Random.Shared.NextDouble() * JitterFactor));
            await Task.Delay(wait, time, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Renews every retry period and returns when leadership is lost: no renew has succeeded for the renew deadline
    /// (another holder, or an API server out of reach). Returns at once when <paramref name="cancellationToken"/> is
    /// cancelled. Each try is bounded by what is left of the deadline, so a request that hangs cannot keep this instance
    /// leading past it, and the deadline is shorter than the lease: the old leader has stopped before anyone may take it.
    /// </summary>
    public async Task RenewUntilLostAsync(CancellationToken cancellationToken)
    {
        long renewedAt = time.GetTimestamp();
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(options.RetryPeriod, time, cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }

            var left = options.RenewDeadline - time.GetElapsedTime(renewedAt);
            if (left <= TimeSpan.Zero)
            {
                return;
            }

            // The Lease a successful try writes is no older than the try's start, and the others count its duration
            // from when they see it: taking the start (not the answer) as the renewal keeps this side's deadline the
            // earlier one, however late the answer comes.
            long tryStart = time.GetTimestamp();
            using var attempt = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            attempt.CancelAfter(left);
            bool renewed;
            try
            {
                renewed = await TryAcquireOrRenewAsync(attempt.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                renewed = false;
            }
            catch (OperationCanceledException)
            {
                return;
            }

            if (renewed)
            {
                renewedAt = tryStart;
            }
            else if (time.GetElapsedTime(renewedAt) >= options.RenewDeadline)
            {
                return;
            }
        }
    }

    /// <summary>One try, as client-go's <c>tryAcquireOrRenew</c>: true when this instance holds the Lease after it.</summary>
    [System.Diagnostics.CodeAnalysis.SuppressMessage(
        "Design",
        "CA1031:Do not catch general exception types",
        Justification = "Any failure of one try is a try lost, as in client-go; it is logged and the next try follows.")]
    internal async Task<bool> TryAcquireOrRenewAsync(CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow().UtcDateTime;
        try
        {
            var lease = await ReadAsync(cancellationToken).ConfigureAwait(false);
            if (lease is null)
            {
                var created = await kubernetes.CoordinationV1.CreateNamespacedLeaseAsync(
                    new V1Lease
                    {
                        Metadata = new V1ObjectMeta { Name = options.LeaseName, NamespaceProperty = options.Namespace },
                        Spec = Held(new V1LeaseSpec { LeaseTransitions = 0, AcquireTime = now }, now),
                    },
                    options.Namespace,
                    cancellationToken: cancellationToken).ConfigureAwait(false);
                Observe(created);
                return true;
            }

            Observe(lease);
            var spec = lease.Spec ??= new V1LeaseSpec();
            bool ours = spec.HolderIdentity == options.Identity;
            var duration = spec.LeaseDurationSeconds is int seconds ? TimeSpan.FromSeconds(seconds) : options.LeaseDuration;
            if (!ours && !string.IsNullOrEmpty(spec.HolderIdentity) && time.GetElapsedTime(_observedAt) < duration)
            {
                return false;
            }

            if (!ours)
            {
                spec.LeaseTransitions = (spec.LeaseTransitions ?? 0) + 1;
                spec.AcquireTime = now;
            }

            Held(spec, now);
            var replaced = await kubernetes.CoordinationV1.ReplaceNamespacedLeaseAsync(lease, options.LeaseName, options.Namespace, cancellationToken: cancellationToken).ConfigureAwait(false);
            Observe(replaced);
            return true;
        }
        catch (HttpOperationException e) when (e.Response.StatusCode == HttpStatusCode.Conflict)
        {
            // Another contender wrote (or created) the Lease since the read: it won this round.
            return false;
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            // Whatever else fails (the API server out of reach, a request's own timeout, a body that does not parse) is
            // a try lost, as client-go counts any error: the caller tries again and the renew deadline still holds.
            LogTryFailed(logger, options.LeaseName, e.Message);
            return false;
        }
    }

    private async Task<V1Lease?> ReadAsync(CancellationToken cancellationToken)
    {
        try
        {
            return await kubernetes.CoordinationV1.ReadNamespacedLeaseAsync(options.LeaseName, options.Namespace, cancellationToken: cancellationToken).ConfigureAwait(false);
        }
        catch (HttpOperationException e) when (e.Response.StatusCode == HttpStatusCode.NotFound)
        {
            return null;
        }
    }

    /// <summary>Makes <paramref name="spec"/> say this instance holds the Lease as of <paramref name="now"/>.</summary>
    private V1LeaseSpec Held(V1LeaseSpec spec, DateTime now)
    {
        spec.HolderIdentity = options.Identity;
        spec.LeaseDurationSeconds = (int)Math.Ceiling(options.LeaseDuration.TotalSeconds);
        spec.RenewTime = now;
        return spec;
    }

    /// <summary>Notes when the record was last seen to change (a new version), and reports a new holder.</summary>
    private void Observe(V1Lease lease)
    {
        if (lease.Metadata?.ResourceVersion != _observedVersion)
        {
            _observedVersion = lease.Metadata?.ResourceVersion;
            _observedAt = time.GetTimestamp();
        }

        string holder = lease.Spec?.HolderIdentity ?? "";
        if (holder != _observedHolder)
        {
            _observedHolder = holder;
            if (holder.Length > 0)
            {
                NewLeader?.Invoke(holder);
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not read or write lease {Lease} ({Reason}); trying again")]
    private static partial void LogTryFailed(ILogger logger, string lease, string reason);
}
