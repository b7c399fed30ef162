using LeakOperator.Controller.Election;
using LeakOperator.Controller.Reconciling;
using LeakOperator.Operator.Api;

namespace LeakOperator.Operator.Running;

/// <summary>The operator's one background service: the LeakTest controller, run only while this replica leads.</summary>
internal sealed class OperatorService(LeaderElectedRunner election, Controller<LeakTest> controller) : BackgroundService
{
    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        election.RunAsync(controller.RunAsync, stoppingToken);

    /// <summary>/readyz: a leader is ready while its watch is healthy; a standby replica is ready to take over.</summary>
    public (bool Ready, string Detail) Readiness()
    {
        if (!election.IsLeader)
        {
            return (true, $"standby; leader is {election.CurrentLeader ?? "unknown"}");
        }

        return controller.IsHealthy ? (true, $"leading; {controller.Watcher.Health.Describe()}") : (false, controller.Watcher.Health.Describe());
    }
}
