using System.Runtime.InteropServices;

namespace LeakOperator.CommandLine;

/// <summary>
/// Ctrl-C (SIGINT) and SIGTERM for the whole process: the first cancels the commands' token, so a lab stops early,
/// releases everything and still writes its reports; a second Ctrl-C ends the process at once, as users expect of a
/// program that is taking too long to stop.
/// </summary>
internal static class ShutdownSignals
{
    private static readonly List<PosixSignalRegistration> s_registrations = [];
    private static int s_received;

    /// <summary>The first signal received, if any.</summary>
    public static PosixSignal? Received => Volatile.Read(ref s_received) switch
    {
        0 => null,
        var signal => (PosixSignal)signal,
    };

    /// <summary>The shell's convention: 128 + the signal's number (SIGINT 130, SIGTERM 143).</summary>
    public static int ExitCode => Received switch
    {
        PosixSignal.SIGINT => 130,
        PosixSignal.SIGTERM => 143,
        _ => ExitCodes.Failed,
    };

    /// <summary>Cancels <paramref name="shutdown"/> on the first SIGINT or SIGTERM. Call once, at process start.</summary>
    public static void Register(CancellationTokenSource shutdown)
    {
        foreach (var signal in new[] { PosixSignal.SIGINT, PosixSignal.SIGTERM })
        {
            s_registrations.Add(PosixSignalRegistration.Create(signal, context =>
            {
                // The first signal wins (it sets the exit code); a later SIGINT keeps the default action: exit now.
                bool first = Interlocked.CompareExchange(ref s_received, (int)context.Signal, 0) == 0;
                context.Cancel = first || context.Signal != PosixSignal.SIGINT;
                if (first)
                {
                    shutdown.Cancel();
                }
            }));
        }
    }
}
