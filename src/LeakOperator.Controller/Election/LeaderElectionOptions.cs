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
    public static LeaderElectionOptions Default(string ns, string identity) =>
        new(true, ns, "leak-operator-leader", identity, TimeSpan.FromSeconds(15), TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(2));
}
