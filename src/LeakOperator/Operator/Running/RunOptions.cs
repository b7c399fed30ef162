using LeakOperator.CommandLine;
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
    LeakBudgetLimits Budget)
{
    public const string Usage = """
        Usage: LeakOperator run [options]

        Runs the operator: watches LeakTests in every namespace and injects what they ask for. Uses the in-cluster
        config inside a pod, else --kubeconfig, else $KUBECONFIG or ~/.kube/config. /metrics, /healthz and /readyz
        are served where ASPNETCORE_URLS says (default http://0.0.0.0:8080).

          --kubeconfig PATH                  kubeconfig file to use
          --context NAME                     kubeconfig context (default: its current context)
          --workers N                        LeakTests reconciled in parallel (default 8, 1..64)
          --status-refreshes-per-second N    operator-wide pace of status refreshes that change only numbers
                                             (default 20, 1..10000); phase and condition changes are never paced
          --leader-elect true|false          hold a Lease so only one replica injects (default true)
          --leader-election-namespace NS     where the Lease lives (default $POD_NAMESPACE, else default)
          --identity NAME                    this replica's name in the Lease (default $POD_NAME, else host-pid)
          --budget-memory-mib N              operator-wide cap on leaked memory (default 1024)
          --budget-timer-loops N             operator-wide cap on leaked timer loops (default 20000)
          --budget-connections N             operator-wide cap on leaked connections (default 500)
          -h, --help                         show this help
        """;

    public static RunOptions? Parse(IReadOnlyList<string> args, out string? error, out bool helpRequested)
    {
        var reader = OptionReader.Read(args, ["--kubeconfig", "--context", "--workers", "--status-refreshes-per-second", "--leader-elect", "--leader-election-namespace", "--identity", "--budget-memory-mib", "--budget-timer-loops", "--budget-connections"]);
        var defaults = new LeakBudgetLimits();
        var options = new RunOptions(
            reader.Text("--kubeconfig"),
            reader.Text("--context"),
            reader.Int("--workers", 8, 1, 64),
            reader.Int("--status-refreshes-per-second", (int)StatusPacing.DefaultRefreshesPerSecond, 1, 10_000),
            reader.Bool("--leader-elect", true),
            reader.Text("--leader-election-namespace") ?? Environment.GetEnvironmentVariable("POD_NAMESPACE") ?? "default",
            reader.Text("--identity") ?? Environment.GetEnvironmentVariable("POD_NAME") ?? $"{Environment.MachineName}-{Environment.ProcessId}",
            new LeakBudgetLimits(
                reader.Int("--budget-memory-mib", (int)defaults.MemoryMiB, 0, 1_000_000),
                reader.Int("--budget-timer-loops", (int)defaults.TimerLoops, 0, 1_000_000),
                reader.Int("--budget-connections", (int)defaults.Connections, 0, 100_000)));
        if (options.Kubeconfig is { } path && !File.Exists(path))
        {
            reader.Fail($"--kubeconfig {path} does not exist");
        }

        error = reader.Error;
        helpRequested = reader.HelpRequested;
        return error is null && !helpRequested ? options : null;
    }
}
