using LeakOperator;
using LeakOperator.Lab;
using LeakOperator.Leaks.Readings;
using LeakOperator.Operator.Running;

// The System.Net.Http meter reports connection changes only to listeners that exist when they happen.
HttpClientConnections.Start();

const string Usage = """
    Usage: LeakOperator <command> [options]

    Commands:
      lab    race each leak, leaky against safe, in this process (no cluster needed) — the default
      run    run the operator against the current kubeconfig or in-cluster config

    'LeakOperator <command> --help' shows a command's options.
    """;

using var shutdown = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) =>
{
    e.Cancel = true;
    shutdown.Cancel();
};

string command = args.Length == 0 || args[0].StartsWith("--", StringComparison.Ordinal) ? "lab" : args[0];
var rest = args.Length > 0 && args[0] == command ? args[1..] : args;
switch (command)
{
    case "lab":
        return await LabCommand.RunAsync(rest, shutdown.Token);
    case "-h" or "help":
        Console.WriteLine(Usage);
        return ExitCodes.Ok;
    case "run":
        return await RunCommand.RunAsync(rest, shutdown.Token);
    default:
        await Console.Error.WriteLineAsync($"unknown command '{command}'\n\n{Usage}");
        return ExitCodes.BadUsage;
}
