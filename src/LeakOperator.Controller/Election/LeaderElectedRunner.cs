using k8s;
using LeakOperator.Controller.Instrumentation;
using Microsoft.Extensions.Logging;

namespace LeakOperator.Controller.Election;

/// <summary>
/// Runs work only while this instance holds the lease: started on gaining leadership, cancelled and awaited on
/// losing it, started again if leadership comes back. Without election, it simply runs the work.
/// </summary>
public sealed partial class LeaderElectedRunner(IKubernetes kubernetes, LeaderElectionOptions options, ControllerMetrics metrics, ILogger logger)
{
    private int _leading;

    public bool IsLeader => Volatile.Read(ref _leading) == 1;

    public string? CurrentLeader { get; private set; }

    public async Task RunAsync(Func<CancellationToken, Task> work, CancellationToken cancellationToken)
    {
        if (!options.Enabled)
        {
            Volatile.Write(ref _leading, 1);
            await work(cancellationToken).ConfigureAwait(false);
            return;
        }

        var elector = new LeaseElector(kubernetes, options, TimeProvider.System, logger);
        elector.NewLeader += leader =>
        {
            CurrentLeader = leader;
            LogNewLeader(logger, leader, options.Identity);
        };
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                await elector.AcquireAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return;
            }

            // One term: run the work until the lease cannot be renewed.
            Volatile.Write(ref _leading, 1);
            metrics.Leading(options.LeaseName, true);
            LogLeading(logger, options.Identity);
            using var term = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            var running = work(term.Token);
            try
            {
                await elector.RenewUntilLostAsync(cancellationToken).ConfigureAwait(false);
            }
            finally
            {
                // Stop the work before anything else: the next leader may start as soon as our lease runs out.
                await term.CancelAsync().ConfigureAwait(false);
                await running.ConfigureAwait(false);
                Volatile.Write(ref _leading, 0);
                metrics.Leading(options.LeaseName, false);
                LogLost(logger, options.Identity);
                if (cancellationToken.IsCancellationRequested)
                {
                    // A graceful stop (SIGTERM): the work has released everything, so hand the lease on now.
                    await LeaseRelease.ReleaseAsync(kubernetes, options, logger).ConfigureAwait(false);
                }
            }

            try
            {
                await Task.Delay(options.RetryPeriod, cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "{Identity} is now the leader")]
    private static partial void LogLeading(ILogger logger, string identity);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Identity} lost leadership; its work is stopped")]
    private static partial void LogLost(ILogger logger, string identity);

    [LoggerMessage(Level = LogLevel.Information, Message = "Leader is {Leader} (this instance: {Identity})")]
    private static partial void LogNewLeader(ILogger logger, string leader, string identity);
}
