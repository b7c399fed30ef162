using System.CommandLine;
using LeakOperator.CommandLine;

namespace LeakOperator.Operator.Running;

/// <summary>The `cleanup` command's options (the chart's pre-delete hook runs it in-cluster, without any).</summary>
internal sealed class CleanupCommandLine
{
    private readonly Option<string?> _kubeconfig = OptionKinds.Text("--kubeconfig", "kubeconfig file to use", "PATH");
    private readonly Option<string?> _context = OptionKinds.Text("--context", "kubeconfig context (default: its current context)", "NAME");
    private readonly Option<int> _timeout = OptionKinds.WholeNumber("--timeout", "seconds to wait for the operator to release them", 60, 1, 3600);

    public CleanupCommandLine()
    {
        Command = new Command(
            "cleanup",
            "Delete every LeakTest and wait for the operator to release them; remove the finalizer of any it did not release in time. " +
            "What `helm uninstall` runs first, so no LeakTest outlives its operator.")
        {
            _kubeconfig, _context, _timeout,
        };
        Command.SetAction((parse, cancellationToken) =>
            CleanupCommand.RunAsync(parse.Value(_kubeconfig), parse.Value(_context), TimeSpan.FromSeconds(parse.Value(_timeout)), cancellationToken));
    }

    public Command Command { get; }
}
