namespace LeakOperator.Hosting;

/// <summary>
/// A host lifetime that leaves signals alone. The lab's web host uses it: the lab owns Ctrl-C and SIGTERM
/// (ShutdownSignals) and stops the host itself once its reports are written. The default console lifetime would
/// take SIGTERM to stop only the web host, and swallow the second Ctrl-C that should end the process at once.
/// </summary>
internal sealed class SignalFreeLifetime : IHostLifetime
{
    public Task WaitForStartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
