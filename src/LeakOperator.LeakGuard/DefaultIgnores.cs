namespace LeakOperator.Diagnostics;

/// <summary>
/// What the runtime keeps alive on purpose, so a guard does not report it unless
/// <see cref="LeakGuardOptions.UseDefaultIgnores"/> is turned off. Each entry is checked by a test that makes the
/// runtime start it.
/// </summary>
public static class DefaultIgnores
{
    /// <summary>
    /// Timer owners that are the runtime's own:
    /// <list type="bullet">
    /// <item><c>System.Net.Http.HttpConnectionPoolManager</c>: a SocketsHttpHandler's pool-cleaning and HTTP/2 heartbeat
    /// timers, which live as long as the handler; a shared HttpClient keeps them for the life of the process. Its
    /// connections are still checked (<see cref="LeakChecks.HttpConnections"/>, <see cref="LeakChecks.Sockets"/>).</item>
    /// <item><c>System.Diagnostics.ProcessWaitState</c>: waiting for a process that is not our child (the test host
    /// watches the runner that started it) polls with a one-shot delay re-armed in a loop, so one reading has it and
    /// the next may not.</item>
    /// </list>
    /// Kestrel needs no entry: on .NET 10 its heartbeat is a thread ("Kestrel Timer"), not a timer, and it ends with
    /// the server, so a server stopped in the scope leaves nothing and one left running is reported, with its socket.
    /// </summary>
    public static IReadOnlyList<string> TimerOwners { get; } =
    [
        "System.Net.Http.HttpConnectionPoolManager",
        "System.Diagnostics.ProcessWaitState",
    ];

    /// <summary>
    /// The runtime names every thread it owns ".NET …" (the finalizer, the timer thread, the socket engine, the pool's
    /// gate, the tiered compiler); they start on first use and live for the process. One of those names is not the
    /// runtime's: ".NET Long Running Task" (cut to ".NET Long Runni") is the thread of a LongRunning task, whose owner
    /// is the code that started it, so it is checked.
    /// </summary>
    public static bool IsRuntimeThread(string name) =>
        name.StartsWith(".NET ", StringComparison.Ordinal) && !name.StartsWith(".NET Long Runni", StringComparison.Ordinal);
}
