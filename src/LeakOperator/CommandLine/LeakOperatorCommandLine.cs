using System.CommandLine;
using System.CommandLine.Help;
using LeakOperator.Lab;
using LeakOperator.Operator.Running;

namespace LeakOperator.CommandLine;

/// <summary>
/// The one System.CommandLine setup of every command. Input the user must fix exits 2 with what to fix (System.CommandLine's
/// own parse-error exit code is 1, which means "failed" here). A bare `LeakOperator` prints the help.
/// </summary>
internal sealed class LeakOperatorCommandLine
{
    public LeakOperatorCommandLine()
    {
        Root = new RootCommand("LeakOperator: reproduce resource leaks on purpose, measure them, and show the fix beside them.")
        {
            Lab.Command,
            Run.Command,
            Cleanup.Command,
        };

        // Without a command, the help (not System.CommandLine's "Required command was not provided").
        Root.SetAction(parse => new HelpAction().Invoke(parse));
    }

    public RootCommand Root { get; }

    public LabCommandLine Lab { get; } = new();

    public RunCommandLine Run { get; } = new();

    public CleanupCommandLine Cleanup { get; } = new();

    public ParseResult Parse(IReadOnlyList<string> args) => Root.Parse(args);

    public async Task<int> InvokeAsync(IReadOnlyList<string> args, CancellationToken cancellationToken)
    {
        var parse = Parse(args);
        if (parse.Errors.Count > 0)
        {
            string command = string.Join(' ', Path(parse.CommandResult.Command));
            foreach (var error in parse.Errors)
            {
                await Console.Error.WriteLineAsync($"{command}: {error.Message}").ConfigureAwait(false);
            }

            await Console.Error.WriteLineAsync($"Run '{command} --help' to see the options.").ConfigureAwait(false);
            return ExitCodes.BadUsage;
        }

        // Signals stay ours (Program and the host's lifetime): System.CommandLine's handler would end the process two
        // seconds after SIGTERM, before the operator has released its injections.
        var invocation = new InvocationConfiguration { ProcessTerminationTimeout = null };
        return await parse.InvokeAsync(invocation, cancellationToken).ConfigureAwait(false);
    }

    private IEnumerable<string> Path(Command command) =>
        command == Root ? ["LeakOperator"] : [.. Path(command.Parents.OfType<Command>().First()), command.Name];
}
