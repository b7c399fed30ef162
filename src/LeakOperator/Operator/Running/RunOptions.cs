using LeakOperator.Leaks.Injections;

namespace LeakOperator.Operator.Running;

/// <summary>How `LeakOperator run` connects, elects and caps. The HTTP address comes from ASPNETCORE_URLS.</summary>
/// <param name="ClientQps">Client-side token bucket on API requests (client-go's QPS); 0 leaves requests unlimited.</param>
/// <param name="ClientBurst">The bucket's size (client-go's Burst); used only with <paramref name="ClientQps"/>.</param>
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
    int ClientBurst = 30);
