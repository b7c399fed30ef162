using LeakOperator;
using LeakOperator.Lab;
using LeakOperator.Leaks.Readings;

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
        await Console.Error.WriteLineAsync("run: the operator is not built yet; use 'lab'.");
        return ExitCodes.Failed;
    default:
        await Console.Error.WriteLineAsync($"unknown command '{command}'\n\n{Usage}");
        return ExitCodes.BadUsage;
}
