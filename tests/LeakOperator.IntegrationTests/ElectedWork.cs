using LeakOperator.Controller.Election;
using LeakOperator.Controller.Instrumentation;
using LeakOperator.IntegrationTests.ControlPlane;
using Microsoft.Extensions.Logging.Abstractions;
using Prometheus;

namespace LeakOperator.IntegrationTests;

/// <summary>
/// A LeaderElectedRunner on the real API server with short timings (2 s lease, 100 ms retry), whose work only counts
/// its terms and waits to be cancelled: the election tests' contender. A leader that cannot renew stops its work
/// within the renew deadline; the rest of the lease (1.4 s) is the margin its cancellation has on a loaded test
/// process before another contender may start.
/// </summary>
/// <param name="renewDeadline">How long a leader keeps trying to renew before it stops (600 ms unless given).</param>
/// <param name="leaders">Counts the contenders whose work runs at once, when several share a Lease.</param>
internal sealed class ElectedWork(ControlPlaneFixture fixture, string lease, string identity, TimeSpan? renewDeadline = null, LeaderCount? leaders = null)
{
    private readonly LeaderElectedRunner _runner = new(
        fixture.Admin,
        LeaderElectionOptions.Default(ControlPlaneFixture.OperatorNamespace, lease, identity) with
        {
            LeaseDuration = TimeSpan.FromSeconds(2),
            RenewDeadline = renewDeadline ?? TimeSpan.FromMilliseconds(600),
            RetryPeriod = TimeSpan.FromMilliseconds(100),
        },
        new ControllerMetrics(Metrics.NewCustomRegistry(), "leakoperator"),
        NullLogger.Instance);

    private int _terms;
    private int _working;

    public string Identity => identity;

    public int Terms => Volatile.Read(ref _terms);

    /// <summary>Its work is running: the runner starts work on gaining the Lease and awaits it on losing it.</summary>
    public bool Leading => Volatile.Read(ref _working) == 1;

    public Task RunAsync(CancellationToken cancellationToken) => _runner.RunAsync(
        async term =>
        {
            leaders?.Enter();
            Interlocked.Increment(ref _terms);
            Volatile.Write(ref _working, 1);
            await Task.Delay(Timeout.Infinite, term).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            Volatile.Write(ref _working, 0);
            leaders?.Leave();
        },
        cancellationToken);

    public override string ToString() => $"{identity}: {Terms} terms, leading {Leading}";
}
