using System.Diagnostics;

using Xunit;

namespace LeakOperator.TestSupport;

/// <summary>Runs a program to its end and collects what it printed: helm, kubectl, the node and provisioning scripts.</summary>
public static class Command
{
    /// <summary>
    /// Runs <paramref name="file"/> with <paramref name="args"/>, writing <paramref name="input"/> to its standard input
    /// when given. Past <paramref name="timeout"/> (default 3 minutes) it is killed and the test fails, naming it.
    /// </summary>
    public static async Task<(int Code, string Output, string Error)> RunAsync(string file, IEnumerable<string> args, string? input = null, TimeSpan? timeout = null)
    {
        var arguments = args.ToList();
        var start = new ProcessStartInfo(file, arguments)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = input is not null,
        };
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        if (input is not null)
        {
            await process.StandardInput.WriteAsync(input);
            process.StandardInput.Close();
        }

        var limit = timeout ?? TimeSpan.FromMinutes(3);
        using var deadline = new CancellationTokenSource(limit);
        try
        {
            await process.WaitForExitAsync(deadline.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            Assert.Fail($"'{file} {string.Join(' ', arguments)}' did not finish within {limit.TotalSeconds} s");
        }

        return (process.ExitCode, await output, await error);
    }
}
