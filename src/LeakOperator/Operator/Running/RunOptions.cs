using LeakOperator.Leaks.Injections;

namespace LeakOperator.Operator.Running;

/// <summary>How `LeakOperator run` connects, elects and caps. The HTTP address comes from ASPNETCORE_URLS.</summary>
/// <param name="ClientQps">Client-side token bucket on API requests (client-go's QPS); 0 leaves requests unlimited.</param>
/// <param name="ClientBurst">The bucket's size (client-go's Burst); used only with <paramref name="ClientQps"/>.</param>
/// <param name="LeaderElectionId">The Lease's name (controller-runtime's LeaderElectionID): replicas sharing it elect one leader.</param>
internal sealed record RunOptions(
    string? Kubeconfig,
    string? Context,
    int Workers,
    int StatusRefreshesPerSecond,
    bool LeaderElect,
    string LeaderElectionNamespace,
    string Identity,
    LeakBudgetLimits Budget,
    bool DebugTimers = false,
    int ClientQps = 0,
    int ClientBurst = 30,
    string LeaderElectionId = RunOptions.DefaultLeaderElectionId)
{
    /// <summary>The Lease the chart's replicas share unless told otherwise.</summary>
    public const string DefaultLeaderElectionId = "leak-operator-leader";
}
