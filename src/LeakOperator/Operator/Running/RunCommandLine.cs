using System.CommandLine;
using LeakOperator.CommandLine;
using LeakOperator.Leaks.Injections;

namespace LeakOperator.Operator.Running;

/// <summary>The `run` command's options, declared once: parser, defaults, messages and help.</summary>
internal sealed class RunCommandLine
{
    private static readonly LeakBudgetLimits s_budget = new();

    private readonly Option<string?> _kubeconfig = OptionKinds.Text("--kubeconfig", "kubeconfig file to use", "PATH");
    private readonly Option<string?> _context = OptionKinds.Text("--context", "kubeconfig context (default: its current context)", "NAME");
    private readonly Option<int> _workers = OptionKinds.WholeNumber("--workers", "LeakTests reconciled in parallel", 8, 1, 64);
    private readonly Option<int> _statusRefreshes = OptionKinds.WholeNumber(
        "--status-refreshes-per-second",
        "operator-wide pace of status refreshes that change only numbers; phase and condition changes are never paced",
        (int)StatusPacing.DefaultRefreshesPerSecond,
        1,
        10_000);

    private readonly Option<bool> _leaderElect = OptionKinds.TrueOrFalse("--leader-elect", "hold a Lease so only one replica injects", true);
    private readonly Option<string?> _leaseNamespace = OptionKinds.Text("--leader-election-namespace", "where the Lease lives (default: $POD_NAMESPACE, else default)", "NAMESPACE");
    private readonly Option<string> _leaseName = OptionKinds.ObjectName(
        "--leader-election-id", "the Lease's name; replicas that share it elect one leader", RunOptions.DefaultLeaderElectionId);

    private readonly Option<string?> _identity = OptionKinds.Text("--identity", "this replica's name in the Lease (default: $POD_NAME, else host-pid)", "NAME");
    private readonly Option<int> _budgetMemory = OptionKinds.WholeNumber("--budget-memory-mib", "operator-wide cap on leaked memory, MiB", (int)s_budget.MemoryMiB, 0, 1_000_000);
    private readonly Option<int> _budgetTimerLoops = OptionKinds.WholeNumber("--budget-timer-loops", "operator-wide cap on leaked timer loops", (int)s_budget.TimerLoops, 0, 1_000_000);
    private readonly Option<int> _budgetConnections = OptionKinds.WholeNumber("--budget-connections", "operator-wide cap on leaked connections", (int)s_budget.Connections, 0, 100_000);
    private readonly Option<bool> _debugTimers = OptionKinds.TrueOrFalse("--debug-timers", "serve /debug/timers: every live timer grouped by owner (reads the runtime's timer queues)", false);
    private readonly Option<int> _clientQps = OptionKinds.WholeNumber(
        "--client-qps",
        "client-side rate limit on API requests, per second, like client-go's QPS (controller-runtime: 20); 0: none",
        0,
        0,
        100_000);
    private readonly Option<int> _clientBurst = OptionKinds.WholeNumber(
        "--client-burst",
        "requests the client-side limiter lets through at once after a quiet spell, like client-go's Burst (controller-runtime: 30)",
        30,
        1,
        100_000);

    public RunCommandLine()
    {
        _kubeconfig.Validators.Add(result =>
        {
            if (result.GetValueOrDefault<string?>() is { } path && !File.Exists(path))
            {
                result.AddError($"--kubeconfig {path} does not exist");
            }
        });
        Command = new Command(
            "run",
            "Run the operator: watch LeakTests in every namespace and inject what they ask for. Uses the in-cluster config inside a pod, " +
            "else --kubeconfig, else $KUBECONFIG or ~/.kube/config. /metrics, /healthz and /readyz are served where ASPNETCORE_URLS says " +
            "(default http://0.0.0.0:8080).")
        {
            _kubeconfig, _context, _workers, _statusRefreshes, _leaderElect, _leaseNamespace, _leaseName, _identity,
            _budgetMemory, _budgetTimerLoops, _budgetConnections, _debugTimers, _clientQps, _clientBurst,
        };
        Command.SetAction((parse, cancellationToken) => RunCommand.RunAsync(Bind(parse), cancellationToken));
    }

    public Command Command { get; }

    /// <summary>The options a parse without errors stands for, with the environment's defaults (the pod's name and namespace).</summary>
    public RunOptions Bind(ParseResult parse) => new(
        parse.Value(_kubeconfig),
        parse.Value(_context),
        parse.Value(_workers),
        parse.Value(_statusRefreshes),
        parse.Value(_leaderElect),
        parse.Value(_leaseNamespace) ?? Environment.GetEnvironmentVariable("POD_NAMESPACE") ?? "default",
        parse.Value(_identity) ?? Environment.GetEnvironmentVariable("POD_NAME") ?? $"{Environment.MachineName}-{Environment.ProcessId}",
        new LeakBudgetLimits(parse.Value(_budgetMemory), parse.Value(_budgetTimerLoops), parse.Value(_budgetConnections)),
        parse.Value(_debugTimers),
        parse.Value(_clientQps),
        parse.Value(_clientBurst),
        parse.Value(_leaseName));
}
