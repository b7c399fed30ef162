using LeakOperator.Leaks;
using LeakOperator.Leaks.Injections;
using LeakOperator.Leaks.Readings;
using Prometheus;

namespace LeakOperator.Instrumentation;

/// <summary>
/// Publishes the inventory and the runtime readings as Prometheus metrics, computed at scrape time so a scrape
/// always sees the present. Series of injections that are gone are removed, not left frozen.
/// </summary>
public sealed class LeakMetrics
{
    private static readonly string[] s_injectionLabels = ["leak_type", "mode", "namespace", "name"];
    private static readonly string[] s_evidenceLabels = [.. s_injectionLabels, "pattern", "evidence"];

    private readonly InjectionInventory _inventory;
    private readonly Gauge _leaked;
    private readonly Counter _injected;
    private readonly Counter _released;
    private readonly Gauge _evidence;
    private readonly Gauge _leaking;
    private readonly Gauge _capEngaged;
    private readonly Gauge _activeTimers;
    private readonly Gauge _safeTickers;
    private readonly Gauge _threadPoolThreads;
    private readonly Gauge _threadPoolQueue;
    private readonly Gauge _gcHeap;
    private readonly Gauge _workingSet;
    private readonly Gauge _openSockets;
    private readonly Gauge _httpClientConnections;
    private readonly Lock _gate = new();
    private HashSet<string[]> _published = new(LabelComparer.Instance);
    private HashSet<string[]> _publishedEvidence = new(LabelComparer.Instance);

    public LeakMetrics(CollectorRegistry registry, InjectionInventory inventory)
    {
        _inventory = inventory;
        var factory = Metrics.WithCustomRegistry(registry);
        _leaked = factory.CreateGauge("leakoperator_leaked_units", "Units an injection holds right now (MiB, timer loops or connections).", s_injectionLabels);
        _injected = factory.CreateCounter("leakoperator_injected_units_total", "Units an injection created.", s_injectionLabels);
        _released = factory.CreateCounter("leakoperator_released_units_total", "Units an injection gave back.", s_injectionLabels);
        _evidence = factory.CreateGauge("leakoperator_leak_evidence", "A leak's own secondary readings (ticksAfterStop, doubleCleanups, ticksDelivered, ...), by pattern.", s_evidenceLabels);
        _leaking = factory.CreateGauge("leakoperator_leaking", "1 while the operator judges the injection Leaking, 0 while Stable; absent until it has enough samples to judge.", s_injectionLabels);
        _capEngaged = factory.CreateGauge("leakoperator_cap_engaged", "1 once a cap (the LeakTest's maxUnits or an operator-wide budget) refused the injection units.", s_injectionLabels);
        _safeTickers = factory.CreateGauge(
            "leakoperator_safe_tickers_open",
            "SafeTickers created and not yet closed in this process (the fixed tickers and the one sampler the operator shares among all LeakTests).");
        _activeTimers = factory.CreateGauge("leakoperator_runtime_active_timers", "Timer.ActiveCount: scheduled timers in the process (includes Task.Delay and HTTP handler timers).");
        _threadPoolThreads = factory.CreateGauge("leakoperator_threadpool_threads", "Thread-pool threads.");
        _threadPoolQueue = factory.CreateGauge("leakoperator_threadpool_queue_length", "Work items waiting in the thread pool.");
        _gcHeap = factory.CreateGauge("leakoperator_gc_heap_bytes", "GC heap size after the last collection.");
        _workingSet = factory.CreateGauge("leakoperator_working_set_bytes", "Process working set.");
        _openSockets = factory.CreateGauge("leakoperator_open_sockets", "Sockets the process has open.");
        _httpClientConnections = factory.CreateGauge("leakoperator_http_client_open_connections", "Open HttpClient connections, from the System.Net.Http meter.");
        registry.AddBeforeCollectCallback(Update);
    }

    /// <summary>Refreshes every value; called by the registry before each scrape.</summary>
    public void Update()
    {
        lock (_gate)
        {
            var current = new HashSet<string[]>(LabelComparer.Instance);
            var currentEvidence = new HashSet<string[]>(LabelComparer.Instance);
            foreach (var injection in _inventory.Snapshot())
            {
                string[] labels = [injection.Spec.Type.ToWire(), injection.Spec.Mode.ToWire(), injection.Owner.Namespace, injection.Owner.Name];
                current.Add(labels);
                _leaked.WithLabels(labels).Set(injection.MeasureLive());
                _injected.WithLabels(labels).IncTo(injection.Ledger.Injected);
                _released.WithLabels(labels).IncTo(injection.Ledger.Released);
                _capEngaged.WithLabels(labels).Set(injection.Ledger.CapReason is null ? 0 : 1);
                if (injection.LatestVerdict is { } verdict)
                {
                    _leaking.WithLabels(labels).Set(verdict == Leaks.Analysis.Verdict.Leaking ? 1 : 0);
                }
                else
                {
                    _leaking.RemoveLabelled(labels);
                }
                foreach (var (name, value) in injection.Evidence())
                {
                    string[] evidenceLabels = [.. labels, injection.Pattern, name];
                    currentEvidence.Add(evidenceLabels);
                    _evidence.WithLabels(evidenceLabels).Set(value);
                }
            }

            foreach (var gone in _published.Where(labels => !current.Contains(labels)))
            {
                _leaked.RemoveLabelled(gone);
                _injected.RemoveLabelled(gone);
                _released.RemoveLabelled(gone);
                _leaking.RemoveLabelled(gone);
                _capEngaged.RemoveLabelled(gone);
            }

            foreach (var gone in _publishedEvidence.Where(labels => !currentEvidence.Contains(labels)))
            {
                _evidence.RemoveLabelled(gone);
            }

            _published = current;
            _publishedEvidence = currentEvidence;
            var readings = RuntimeReadings.Take();
            _activeTimers.Set(readings.ActiveTimers);
            _safeTickers.Set(Timing.SafeTicker.OpenCount);
            _threadPoolThreads.Set(readings.ThreadPoolThreads);
            _threadPoolQueue.Set(readings.ThreadPoolQueueLength);
            _gcHeap.Set(readings.GcHeapBytes);
            _workingSet.Set(readings.WorkingSetBytes);
            _openSockets.Set(readings.OpenSockets);
            _httpClientConnections.Set(readings.HttpClientOpenConnections);
        }
    }

    private sealed class LabelComparer : IEqualityComparer<string[]>
    {
        public static readonly LabelComparer Instance = new();

        public bool Equals(string[]? x, string[]? y) => x is not null && y is not null && x.SequenceEqual(y, StringComparer.Ordinal);

        public int GetHashCode(string[] obj) => string.Join('\u001f', obj).GetHashCode(StringComparison.Ordinal);
    }
}
