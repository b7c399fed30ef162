using LeakOperator.Controller.Queue;
using LeakOperator.Controller.Watching;
using Prometheus;

namespace LeakOperator.Controller.Instrumentation;

/// <summary>
/// Controller metrics under controller-runtime's names, so existing dashboards and alerts apply as they are,
/// plus the watch's own counters.
/// </summary>
public sealed class ControllerMetrics : IWorkQueueObserver, IWatchObserver
{
    private readonly Counter _reconciles;
    private readonly Counter _reconcileErrors;
    private readonly Histogram _reconcileTime;
    private readonly Gauge _depth;
    private readonly Counter _adds;
    private readonly Counter _retries;
    private readonly Histogram _queueDuration;
    private readonly Counter _watchEvents;
    private readonly Counter _watchReconnects;
    private readonly Counter _statusConflicts;
    private readonly Gauge _leader;
    private readonly Counter _directReconciles;
    private readonly Counter _clientThrottled;
    private readonly Histogram _requestDuration;
    private readonly Counter _requests;

    /// <param name="prefix">Names this runtime's own metrics (<c>{prefix}_watch_events_total</c>, …): the host's product
    /// name, since the runtime has none. controller-runtime's and client-go's metrics keep their fixed names.</param>
    public ControllerMetrics(CollectorRegistry registry, string prefix)
    {
        var factory = Metrics.WithCustomRegistry(registry);
        _reconciles = factory.CreateCounter("controller_runtime_reconcile_total", "Total number of reconciliations per controller.", "controller", "result");
        _reconcileErrors = factory.CreateCounter("controller_runtime_reconcile_errors_total", "Total number of reconciliation errors per controller.", "controller");
        _reconcileTime = factory.CreateHistogram("controller_runtime_reconcile_time_seconds", "Length of time per reconciliation per controller.", new HistogramConfiguration
        {
            LabelNames = ["controller"],
            // controller-runtime's buckets, with five more under 5 ms: a storm's reconciles that make no API call
            // take about a millisecond, and a p95 inside the lowest bucket would be an interpolation, not a reading.
            Buckets =
            [
                0.0005, 0.001, 0.002, 0.003, 0.004,
                0.005, 0.01, 0.025, 0.05, 0.1, 0.15, 0.2, 0.25, 0.3, 0.35, 0.4, 0.45, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0,
                1.25, 1.5, 1.75, 2.0, 2.5, 3.0, 3.5, 4.0, 4.5, 5, 6, 7, 8, 9, 10, 15, 20, 25, 30, 40, 50, 60,
            ],
        });
        _depth = factory.CreateGauge("workqueue_depth", "Current depth of workqueue.", "name");
        _adds = factory.CreateCounter("workqueue_adds_total", "Total number of adds handled by workqueue.", "name");
        _retries = factory.CreateCounter("workqueue_retries_total", "Total number of retries handled by workqueue.", "name");
        _queueDuration = factory.CreateHistogram("workqueue_queue_duration_seconds", "How long in seconds an item stays in workqueue before being requested.", new HistogramConfiguration
        {
            LabelNames = ["name"],
            Buckets = Histogram.ExponentialBuckets(1e-8, 10, 11),
        });
        _watchEvents = factory.CreateCounter($"{prefix}_watch_events_total", "Watch events received, by resource and type.", "resource", "type");
        _watchReconnects = factory.CreateCounter($"{prefix}_watch_reconnects_total", "Watch restarts, by reason: ended (server closed it), expired (410 Gone, relisted), error.", "resource", "reason");
        _statusConflicts = factory.CreateCounter($"{prefix}_status_conflicts_total", "Writes that met a 409 Conflict and were retried on the latest version.", "controller");
        _leader = factory.CreateGauge("leader_election_master_status", "1 while this instance is the leader.", "name");
        _directReconciles = factory.CreateCounter(
            $"{prefix}_direct_reconciles_total",
            "Reconciles run outside the work queue (the reconcile-storm-direct bug: a ticker's loop calling Reconcile itself), by result; controller-runtime's own metrics do not see them, as in Go.",
            "controller",
            "result");
        _clientThrottled = factory.CreateCounter($"{prefix}_client_throttled_requests_total", "API requests that waited for the client-side rate limiter (--client-qps).");

        // client-go's request metrics, under its names, labels and buckets (controller-runtime registers them too).
        _requestDuration = factory.CreateHistogram("rest_client_request_duration_seconds", "Request latency in seconds. Broken down by verb, and host.", new HistogramConfiguration
        {
            LabelNames = ["verb", "host"],
            Buckets = [0.005, 0.025, 0.1, 0.25, 0.5, 1.0, 2.0, 4.0, 8.0, 15.0, 30.0, 60.0],
        });
        _requests = factory.CreateCounter("rest_client_requests_total", "Number of HTTP requests, partitioned by status code, method, and host.", "code", "method", "host");
    }

    public void Reconciled(string controller, string result, TimeSpan took)
    {
        _reconciles.WithLabels(controller, result).Inc();
        _reconcileTime.WithLabels(controller).Observe(took.TotalSeconds);
        if (result == "error")
        {
            _reconcileErrors.WithLabels(controller).Inc();
        }
    }

    /// <summary>A reconcile the controller did not schedule: result is success, conflict (its status write lost a race) or error.</summary>
    public void DirectReconciled(string controller, string result) => _directReconciles.WithLabels(controller, result).Inc();

    public void ClientThrottled() => _clientThrottled.Inc();

    /// <summary>An API request answered (code 0: no answer, as client-go's <c>&lt;error&gt;</c>).</summary>
    public void RequestDone(string verb, string host, int code, TimeSpan took)
    {
        _requestDuration.WithLabels(verb, host).Observe(took.TotalSeconds);
        _requests.WithLabels(code == 0 ? "<error>" : code.ToString(System.Globalization.CultureInfo.InvariantCulture), verb, host).Inc();
    }

    public void StatusConflict(string controller) => _statusConflicts.WithLabels(controller).Inc();

    public void Leading(string name, bool leading) => _leader.WithLabels(name).Set(leading ? 1 : 0);

    public void Added(string queue) => _adds.WithLabels(queue).Inc();

    public void Retried(string queue) => _retries.WithLabels(queue).Inc();

    public void DepthChanged(string queue, int depth) => _depth.WithLabels(queue).Set(depth);

    public void Waited(string queue, TimeSpan waited) => _queueDuration.WithLabels(queue).Observe(waited.TotalSeconds);

    public void Started(string resource)
    {
        foreach (var reason in new[] { "ended", "expired", "error" })
        {
            _watchReconnects.WithLabels(resource, reason);
        }
    }

    public void EventReceived(string resource, string type) => _watchEvents.WithLabels(resource, type).Inc();

    public void Reconnected(string resource, string reason) => _watchReconnects.WithLabels(resource, reason).Inc();
}
