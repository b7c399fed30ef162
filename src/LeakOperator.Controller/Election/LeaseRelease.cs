using k8s;
using k8s.Autorest;
using k8s.Models;
using Microsoft.Extensions.Logging;

namespace LeakOperator.Controller.Election;

/// <summary>
/// Gives the Lease up on a graceful stop, as client-go's <c>ReleaseOnCancel</c>, so a standby takes over at its next
/// retry (2 s) instead of waiting for the lease to run out (15 s, plus the time to notice): on the real node a deleted
/// leader pod's standby led 1.6 s after the delete. client-go clears the holder; here the lease is deleted, which
/// <see cref="LeaseElector"/> answers by creating it at its next try, and which needs no field of the record to
/// mean "free".
/// </summary>
internal static partial class LeaseRelease
{
    /// <summary>
    /// Deletes the lease if this instance still holds it. Called only after this instance's work has stopped and released
    /// what it held, so the next leader never overlaps it. The delete is conditional on the version read, so a lease
    /// taken meanwhile by another holder is left alone: this is a courtesy, the lease's expiry stays the safety net.
    /// </summary>
    public static async Task ReleaseAsync(IKubernetes kubernetes, LeaderElectionOptions options, ILogger logger)
    {
        using var timeout = new CancellationTokenSource(options.RetryPeriod * 2);
        try
        {
            var lease = await kubernetes.CoordinationV1.ReadNamespacedLeaseAsync(options.LeaseName, options.Namespace, cancellationToken: timeout.Token).ConfigureAwait(false);
            if (lease.Spec?.HolderIdentity != options.Identity)
            {
                return;
            }

            await kubernetes.CoordinationV1.DeleteNamespacedLeaseAsync(
                options.LeaseName,
                options.Namespace,
                new V1DeleteOptions { Preconditions = new V1Preconditions { ResourceVersion = lease.Metadata.ResourceVersion, Uid = lease.Metadata.Uid } },
                cancellationToken: timeout.Token).ConfigureAwait(false);
            LogReleased(logger, options.LeaseName, options.Identity);
        }
        catch (Exception e) when (e is HttpOperationException or HttpRequestException or OperationCanceledException)
        {
            LogNotReleased(logger, options.LeaseName, e.Message);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Released lease {Lease} held by {Identity}: a standby can take over now")]
    private static partial void LogReleased(ILogger logger, string lease, string identity);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not release lease {Lease} ({Reason}); it runs out by itself")]
    private static partial void LogNotReleased(ILogger logger, string lease, string reason);
}
