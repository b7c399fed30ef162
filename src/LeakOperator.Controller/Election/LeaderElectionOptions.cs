namespace LeakOperator.Controller.Election;

/// <summary>
/// Leader election through a coordination.k8s.io Lease. A leader that cannot renew within
/// <see cref="RenewDeadline"/> steps down before <see cref="LeaseDuration"/> runs out, so an old leader has stopped
/// before a new one can take the lease.
/// </summary>
public sealed record LeaderElectionOptions(
    bool Enabled,
    string Namespace,
    string LeaseName,
    string Identity,
    TimeSpan LeaseDuration,
    TimeSpan RenewDeadline,
    TimeSpan RetryPeriod)
{
    /// <summary>controller-runtime's timings (15 s lease, 10 s renew deadline, 2 s retry); the Lease's name is the host's.</summary>
    public static LeaderElectionOptions Default(string ns, string leaseName, string identity) =>
        new(true, ns, leaseName, identity, TimeSpan.FromSeconds(15), TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(2));
}
