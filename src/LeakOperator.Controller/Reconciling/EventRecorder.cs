using k8s;
using k8s.Models;
using Microsoft.Extensions.Logging;

namespace LeakOperator.Controller.Reconciling;

/// <summary>Writes Kubernetes Events about objects (what `kubectl describe` shows). A failed write is logged, never thrown.</summary>
public sealed partial class EventRecorder(IKubernetes kubernetes, string component, string instance, ILogger logger, TimeProvider? time = null)
{
    private readonly TimeProvider _time = time ?? TimeProvider.System;

    public async Task RecordAsync(IKubernetesObject<V1ObjectMeta> about, string type, string reason, string message, CancellationToken cancellationToken)
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
            Source = new V1EventSource { Component = component },
            ReportingComponent = component,
            ReportingInstance = instance,
            FirstTimestamp = now,
            LastTimestamp = now,
            Count = 1,
        };
        try
        {
            await kubernetes.CoreV1.CreateNamespacedEventAsync(record, ns, cancellationToken: cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            LogEventFailed(logger, reason, about.Metadata.Name, e);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not record event {Reason} for {Name}")]
    private static partial void LogEventFailed(ILogger logger, string reason, string name, Exception error);
}
