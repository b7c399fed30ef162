using LeakOperator.Leaks.Injection;

namespace LeakOperator.Operator.Running;

/// <summary>How `LeakOperator run` connects, elects and caps. The HTTP address comes from ASPNETCORE_URLS.</summary>
internal sealed record RunOptions(
    string? Kubeconfig,
    string? Context,
    int Workers,
    int StatusRefreshesPerSecond,
    bool LeaderElect,
    string LeaderElectionNamespace,
    string Identity,
    LeakBudgetLimits Budget,
    bool DebugTimers = false);
