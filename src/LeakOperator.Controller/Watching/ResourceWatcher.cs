using System.Net;
using k8s;
using k8s.Autorest;
using k8s.Models;
using LeakOperator.Controller.Resources;
using Microsoft.Extensions.Logging;

namespace LeakOperator.Controller.Watching;

/// <summary>
/// List, then watch from the list's resourceVersion (with bookmarks); reconnect from the last version seen when the
/// watch ends; relist on 410 Gone; back off with jitter on errors. It feeds the cache and enqueues changed keys.
/// </summary>
public sealed partial class ResourceWatcher<T>(
    CustomResourceClient<T> client,
    ObjectCache<T> cache,
    Action<ObjectKey> enqueue,
    ILogger logger,
    IWatchObserver? observer = null,
    TimeProvider? time = null,
    WatchTiming? timing = null,
    ReconcileTrigger? trigger = null)
    where T : class, IKubernetesObject<V1ObjectMeta>
{
    private readonly WatchTiming _timing = timing ?? WatchTiming.Default;
    private readonly IWatchObserver _observer = observer ?? IWatchObserver.None;
    private readonly TimeProvider _time = time ?? TimeProvider.System;
    private readonly ReconcileTrigger _trigger = trigger ?? new ReconcileTrigger(ownFinalizer: null);
    private readonly string _resource = client.Definition.ToString();

    private bool _listed;

    public WatchHealth Health { get; } = new();

    /// <summary>Watches until cancelled. Never returns early and never throws except on cancellation.</summary>
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        _observer.Started(_resource);
        string? resourceVersion = null;
        int failures = 0;
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                resourceVersion ??= await RelistAsync(cancellationToken).ConfigureAwait(false);
                resourceVersion = await WatchFromAsync(resourceVersion, cancellationToken).ConfigureAwait(false);
                failures = 0;
                _observer.Reconnected(_resource, resourceVersion is null ? "expired" : "ended");
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return;
            }
            catch (HttpOperationException e) when (e.Response.StatusCode == HttpStatusCode.Gone)
            {
                resourceVersion = null;
                _observer.Reconnected(_resource, "expired");
            }
            catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
            {
                failures++;
                Health.Failed(e);
                _observer.Reconnected(_resource, "error");
                var delay = _timing.Backoff(failures, Random.Shared.NextDouble());
                LogWatchFailed(logger, _resource, failures, delay.TotalMilliseconds, e);
                try
                {
                    await Task.Delay(delay, _time, cancellationToken).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
            }
        }
    }

    private async Task<string> RelistAsync(CancellationToken cancellationToken)
    {
        // The first list may come from the API server's watch cache; a relist after 410 Gone reads etcd, because the
        // cache could be older than what this watcher has already seen.
        var (items, resourceVersion) = await client.ListAsync(cancellationToken, fromWatchCache: !_listed).ConfigureAwait(false);
        _listed = true;
        var gone = cache.ReplaceAll(items);
        Health.Synced();
        LogListed(logger, _resource, items.Count, resourceVersion);

        // Everything is reconciled after a (re)list: changes missed while disconnected are found this way, and
        // objects deleted meanwhile get their release.
        foreach (var item in items)
        {
            enqueue(ObjectKey.Of(item));
        }

        foreach (var key in gone)
        {
            enqueue(key);
        }

        return resourceVersion;
    }

    /// <summary>Consumes one watch; returns the version to resume from, or null when a relist is needed (410).</summary>
    private async Task<string?> WatchFromAsync(string resourceVersion, CancellationToken cancellationToken)
    {
        await foreach (var change in client.WatchAsync(resourceVersion, _timing.WatchTimeout, cancellationToken).ConfigureAwait(false))
        {
            Health.Succeeded();
            _observer.EventReceived(_resource, change.Type.ToString());
            switch (change.Type)
            {
                case WatchEventType.Bookmark:
                    resourceVersion = change.BookmarkVersion ?? resourceVersion;
                    break;
                case WatchEventType.Error when change.Error?.Code == (int)HttpStatusCode.Gone:
                    LogExpired(logger, _resource, resourceVersion);
                    return null;
                case WatchEventType.Error:
                    // Anything else the server reports ends this watch; the caller backs off and reconnects.
                    throw new WatchFailedException($"the watch of {_resource} returned an error: {change.Error?.Code} {change.Error?.Message}");
                case WatchEventType.Deleted:
                    cache.Remove(ObjectKey.Of(change.Resource!));
                    enqueue(ObjectKey.Of(change.Resource!));
                    resourceVersion = change.Resource!.Metadata.ResourceVersion ?? resourceVersion;
                    break;
                default:
                    var previous = cache.Upsert(change.Resource!);
                    if (_trigger.Fires(previous, change.Resource!))
                    {
                        enqueue(ObjectKey.Of(change.Resource!));
                    }

                    resourceVersion = change.Resource!.Metadata.ResourceVersion ?? resourceVersion;
                    break;
            }
        }

        return resourceVersion;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Listed {Resource}: {Count} objects at resourceVersion {ResourceVersion}")]
    private static partial void LogListed(ILogger logger, string resource, int count, string resourceVersion);

    [LoggerMessage(Level = LogLevel.Information, Message = "Watch of {Resource} expired at resourceVersion {ResourceVersion} (410 Gone); relisting")]
    private static partial void LogExpired(ILogger logger, string resource, string resourceVersion);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Watch of {Resource} failed ({Failures} in a row); retrying in {DelayMs:0} ms")]
    private static partial void LogWatchFailed(ILogger logger, string resource, int failures, double delayMs, Exception error);
}
