using System.Threading.Channels;
using k8s;
using k8s.Models;
using Microsoft.Extensions.Logging;

namespace LeakOperator.Controller.Reconciling;

/// <summary>
/// Writes Kubernetes Events about objects (what `kubectl describe` shows) off the reconcile path, as client-go's
/// event broadcaster does: recording only queues the event, one background sender writes it. Events are best-effort:
/// a failed write is logged, and when the queue is full new events are dropped and counted, never waited for.
/// </summary>
public sealed partial class EventRecorder : IAsyncDisposable
{
    /// <summary>client-go's broadcaster queue length; beyond it a burst is shedding load, not information.</summary>
    public const int QueueCapacity = 1000;

    private static readonly TimeSpan s_flushOnDispose = TimeSpan.FromSeconds(5);

    private readonly IKubernetes _kubernetes;
    private readonly string _component;
    private readonly string _instance;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;
    private readonly Channel<Corev1Event> _pending = Channel.CreateBounded<Corev1Event>(new BoundedChannelOptions(QueueCapacity)
    {
        FullMode = BoundedChannelFullMode.DropWrite,
        SingleReader = true,
    });

    private readonly Task _sender;
    private long _dropped;

    public EventRecorder(IKubernetes kubernetes, string component, string instance, ILogger logger, TimeProvider? time = null)
    {
        _kubernetes = kubernetes;
        _component = component;
        _instance = instance;
        _logger = logger;
        _time = time ?? TimeProvider.System;
        _sender = Task.Run(SendAsync);
    }

    /// <summary>Events dropped because the queue was full.</summary>
    public long Dropped => Interlocked.Read(ref _dropped);

    /// <summary>Queues an event; returns at once. The token is not used: the event outlives the reconcile.</summary>
    public Task RecordAsync(IKubernetesObject<V1ObjectMeta> about, string type, string reason, string message, CancellationToken cancellationToken)
    {
        var now = _time.GetUtcNow().UtcDateTime;
        var ns = about.Metadata.NamespaceProperty ?? "default";
        var record = new Corev1Event
        {
            Metadata = new V1ObjectMeta { GenerateName = $"{about.Metadata.Name}.", NamespaceProperty = ns },
            InvolvedObject = new V1ObjectReference
            {
                ApiVersion = about.ApiVersion,
                Kind = about.Kind,
                Name = about.Metadata.Name,
                NamespaceProperty = ns,
                Uid = about.Metadata.Uid,
                ResourceVersion = about.Metadata.ResourceVersion,
            },
            Type = type,
            Reason = reason,
            Message = message.Length > 1024 ? message[..1024] : message,
            Source = new V1EventSource { Component = _component },
            ReportingComponent = _component,
            ReportingInstance = _instance,
            FirstTimestamp = now,
            LastTimestamp = now,
            Count = 1,
        };
        if (!_pending.Writer.TryWrite(record))
        {
            Interlocked.Increment(ref _dropped);
            LogEventDropped(_logger, reason, about.Metadata.Name);
        }

        return Task.CompletedTask;
    }

    /// <summary>Stops taking events and sends what is queued, for a few seconds at most.</summary>
    public async ValueTask DisposeAsync()
    {
        _pending.Writer.TryComplete();
        await _sender.WaitAsync(s_flushOnDispose).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
    }

    [System.Diagnostics.CodeAnalysis.SuppressMessage("Design", "CA1031:Do not catch general exception types", Justification = "Events are best-effort; one failed write must not stop the sender.")]
    private async Task SendAsync()
    {
        await foreach (var record in _pending.Reader.ReadAllAsync().ConfigureAwait(false))
        {
            try
            {
                await _kubernetes.CoreV1.CreateNamespacedEventAsync(record, record.Metadata.NamespaceProperty).ConfigureAwait(false);
            }
            catch (Exception e)
            {
                LogEventFailed(_logger, record.Reason, record.InvolvedObject.Name, e);
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not record event {Reason} for {Name}")]
    private static partial void LogEventFailed(ILogger logger, string reason, string name, Exception error);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Event {Reason} for {Name} dropped: the event queue is full")]
    private static partial void LogEventDropped(ILogger logger, string reason, string name);
}
