using System.Diagnostics;
using k8s;
using k8s.Models;
using LeakOperator.Controller.Instrumentation;
using LeakOperator.Controller.Queue;
using LeakOperator.Controller.Resources;
using LeakOperator.Controller.Watching;
using Microsoft.Extensions.Logging;

namespace LeakOperator.Controller.Reconciling;

/// <summary>
/// One controller: a watch feeding a cache and a work queue, and workers that reconcile keys with the finalizer
/// handled here. It knows nothing about what the reconciler does.
/// </summary>
public sealed partial class Controller<T>
    where T : class, IKubernetesObject<V1ObjectMeta>
{
    private readonly CustomResourceClient<T> _client;
    private readonly IReconciler<T> _reconciler;
    private readonly ControllerOptions _options;
    private readonly ControllerMetrics _metrics;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;
    private readonly ObjectCache<T> _cache = new();
    private WorkQueue<ObjectKey>? _queue;

    public Controller(
        CustomResourceClient<T> client,
        IReconciler<T> reconciler,
        ControllerOptions options,
        ControllerMetrics metrics,
        ILoggerFactory loggers,
        TimeProvider? time = null,
        ReconcileRequests? requests = null)
    {
        requests?.Attach(key => _queue?.Add(key));
        _client = client;
        _reconciler = reconciler;
        _options = options;
        _metrics = metrics;
        _time = time ?? TimeProvider.System;
        _logger = loggers.CreateLogger($"LeakOperator.Controller.{options.Name}");
        Watcher = new ResourceWatcher<T>(client, _cache, key => _queue?.Add(key), _logger, metrics, _time, trigger: new ReconcileTrigger(options.Finalizer));
    }

    public ResourceWatcher<T> Watcher { get; }

    /// <summary>True while running and the watch is healthy.</summary>
    public bool IsHealthy => _queue is { IsShutDown: false } && Watcher.Health.IsHealthy;

    /// <summary>Runs until cancelled, then releases everything through the reconciler's StoppedAsync.</summary>
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        using var queue = new WorkQueue<ObjectKey>(_options.Name, _time, _metrics);
        _queue = queue;
        LogStarting(_logger, _options.Name, _options.Workers);
        var watch = Watcher.RunAsync(cancellationToken);
        var workers = Enumerable.Range(0, _options.Workers).Select(_ => WorkAsync(queue, cancellationToken)).ToList();
        try
        {
            // Runs until cancelled (shutdown or leadership lost); the watch and workers end with the same token.
            await Task.Delay(Timeout.Infinite, cancellationToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }
        finally
        {
            queue.ShutDown();
            try
            {
                await watch.ConfigureAwait(false);
                await Task.WhenAll(workers).ConfigureAwait(false);
            }
            finally
            {
                // Whatever happened above, what this instance holds is released before it stops.
                _queue = null;
                await _reconciler.StoppedAsync().ConfigureAwait(false);
                LogStopped(_logger, _options.Name);
            }
        }
    }

    private async Task WorkAsync(WorkQueue<ObjectKey> queue, CancellationToken cancellationToken)
    {
        while (true)
        {
            ObjectKey key;
            try
            {
                if (await queue.TakeAsync(cancellationToken).ConfigureAwait(false) is not (true, var taken))
                {
                    return;
                }

                key = taken;
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return;
            }

            long started = _time.GetTimestamp();
            string outcome;
            try
            {
                var result = await ProcessAsync(key, cancellationToken).ConfigureAwait(false);
                if (result.RequeueAfter is { } delay)
                {
                    outcome = "requeue_after";
                    queue.Forget(key);
                    queue.AddAfter(key, delay);
                }
                else
                {
                    outcome = "success";
                    queue.Forget(key);
                }
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                outcome = "canceled";
            }
            catch (Exception e)
            {
                outcome = "error";
                LogReconcileFailed(_logger, key.ToString(), e);
                queue.AddRateLimited(key);
            }
            finally
            {
                queue.Done(key);
            }

            _metrics.Reconciled(_options.Name, outcome, _time.GetElapsedTime(started));
        }
    }

    private async Task<ReconcileResult> ProcessAsync(ObjectKey key, CancellationToken cancellationToken)
    {
        if (!_cache.TryGet(key, out var cached) || cached is null)
        {
            await _reconciler.DeletedAsync(key, cancellationToken).ConfigureAwait(false);
            return ReconcileResult.Done;
        }

        var obj = KubeObjects.DeepCopy(cached);
        if (obj.Metadata.DeletionTimestamp is not null)
        {
            if (!HasFinalizer(obj))
            {
                return ReconcileResult.Done;
            }

            await _reconciler.FinalizeAsync(obj, cancellationToken).ConfigureAwait(false);
            await WriteAsync(obj, o => o.Metadata.Finalizers?.Remove(_options.Finalizer) == true, cancellationToken).ConfigureAwait(false);
            return ReconcileResult.Done;
        }

        if (!HasFinalizer(obj))
        {
            var added = await WriteAsync(obj, AddFinalizer, cancellationToken).ConfigureAwait(false);

            // Gone, or found being deleted when read again after a conflict (AddFinalizer declines then): not
            // reconciled as if it were live. The deletion's own watch event brings the key back to the deletion path
            // above. A re-read that already had our finalizer is reconciled as it is: nothing else may queue it again.
            if (added.Latest is not { } latest || latest.Metadata.DeletionTimestamp is not null)
            {
                return ReconcileResult.Done;
            }

            obj = latest;
        }

        return await _reconciler.ReconcileAsync(obj, cancellationToken).ConfigureAwait(false);
    }

    private bool HasFinalizer(T obj) => obj.Metadata.Finalizers?.Contains(_options.Finalizer) == true;

    private bool AddFinalizer(T obj)
    {
        if (HasFinalizer(obj) || obj.Metadata.DeletionTimestamp is not null)
        {
            return false;
        }

        obj.Metadata.Finalizers ??= [];
        obj.Metadata.Finalizers.Add(_options.Finalizer);
        return true;
    }

    private Task<ConflictRetry.Outcome<T>> WriteAsync(T obj, Func<T, bool> change, CancellationToken cancellationToken) =>
        ConflictRetry.WriteAsync(_client, obj, change, _client.ReplaceAsync, () => _metrics.StatusConflict(_options.Name), cancellationToken);

    [LoggerMessage(Level = LogLevel.Information, Message = "Controller {Controller} starting with {Workers} workers")]
    private static partial void LogStarting(ILogger logger, string controller, int workers);

    [LoggerMessage(Level = LogLevel.Information, Message = "Controller {Controller} stopped; everything it held is released")]
    private static partial void LogStopped(ILogger logger, string controller);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Reconcile of {Key} failed; retrying with backoff")]
    private static partial void LogReconcileFailed(ILogger logger, string key, Exception error);
}
