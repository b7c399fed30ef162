using System.Text;
using k8s;
using LeakOperator.Controller.Instrumentation;
using LeakOperator.Controller.Reconciling;
using LeakOperator.Controller.Resources;
using LeakOperator.Controller.Tests.FakeApi;
using LeakOperator.TestSupport;
using Microsoft.Extensions.Logging.Abstractions;
using Prometheus;

namespace LeakOperator.Controller.Tests;

/// <summary>
/// One <see cref="Controller{T}"/> running over a <see cref="FakeApiServer{T}"/> through a real KubernetesClient, with
/// its own metrics registry; disposing it stops the controller and waits for it to end.
/// </summary>
internal sealed class ControllerHarness : IAsyncDisposable
{
    public const string Name = "widgets";
    public const string Finalizer = "example.dev/release";

    private static readonly TimeSpan s_deadline = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan s_poll = TimeSpan.FromMilliseconds(5);

    private readonly Kubernetes _kubernetes;
    private readonly CancellationTokenSource _stop = new();
    private readonly CollectorRegistry _registry = Metrics.NewCustomRegistry();
    private readonly Task _run;
    private int _barriers;
    private bool _disposed;

    private ControllerHarness(string[] objects, int workers, TimeProvider? time, RecordingReconciler? reconciler, FakeApiServer<Widget>? api)
    {
        Api = api ?? new FakeApiServer<Widget>(Widget.Definition, time);
        foreach (var name in objects)
        {
            Api.Create(Widget.Named(name));
        }

        Reconciler = reconciler ?? new RecordingReconciler();

        // BufferedResponses as in the operator's pipeline (RunCommand), and the fake where the socket handler would be.
        _kubernetes = new Kubernetes(new KubernetesClientConfiguration { Host = "http://fake-api.invalid" }, new BufferedResponses(), Api);
        var client = new CustomResourceClient<Widget>(_kubernetes, Widget.Definition, fieldManager: "controller-tests");
        var metrics = new ControllerMetrics(_registry, "test");
        Controller = new Controller<Widget>(client, Reconciler, new ControllerOptions(Name, Finalizer, workers), metrics, NullLoggerFactory.Instance, time);
        _run = Controller.RunAsync(_stop.Token);
    }

    public FakeApiServer<Widget> Api { get; }

    public RecordingReconciler Reconciler { get; }

    public Controller<Widget> Controller { get; }

    /// <summary>The run itself: it ends only after the controller was stopped.</summary>
    public Task Run => _run;

    /// <summary>Watches the API was still streaming to when the controller had stopped (after disposal).</summary>
    public int WatchesLeftOpen { get; private set; } = -1;

    /// <summary>
    /// Starts a controller with <paramref name="objects"/> (names in namespace default) already in the API, so the first
    /// LIST has them. One worker by default: keys are then reconciled in the order the queue got them.
    /// </summary>
    /// <param name="api">An API made beforehand, for a test whose reconciler reads it or that sets faults first.</param>
    public static ControllerHarness Start(string[] objects, int workers = 1, TimeProvider? time = null, RecordingReconciler? reconciler = null, FakeApiServer<Widget>? api = null) =>
        new(objects, workers, time, reconciler, api);

    public static ObjectKey Key(string name) => new("default", name);

    /// <summary>Waits for <paramref name="condition"/>; the failure shows what the controller and the API saw.</summary>
    public Task Until(Func<bool> condition, string what) =>
        Eventually.True(() => Task.FromResult(condition()), () => $"{what}; {Describe()}", s_deadline, s_poll);

    /// <summary>As above, for a condition on the metrics.</summary>
    public Task Until(Func<Scrape, bool> condition, string what) =>
        Eventually.True(async () => condition(await ScrapeAsync()), () => $"{what}; {Describe()}", s_deadline, s_poll);

    /// <summary>The controller's metrics now, as /metrics would serve them.</summary>
    public async Task<Scrape> ScrapeAsync()
    {
        using var stream = new MemoryStream();
        await _registry.CollectAndExportAsTextAsync(stream);
        return new Scrape(Encoding.UTF8.GetString(stream.ToArray()));
    }

    /// <summary>The sum of the series of <paramref name="metric"/> whose labels include <paramref name="labels"/> (<c>result="error"</c>).</summary>
    public async Task<double> MetricAsync(string metric, params string[] labels) => (await ScrapeAsync()).Sum(metric, labels);

    /// <summary>Waits until <paramref name="count"/> passes through the workers have ended, whatever their result.</summary>
    public Task UntilPassesEnded(int count) =>
        Until(s => s.Sum("controller_runtime_reconcile_total") >= count, $"{count} reconcile passes ended");

    /// <summary>
    /// Creates a new object and waits for its reconcile. With one worker and nothing being reconciled when it is called,
    /// every key the watch enqueued before the new object's ADDED event has been reconciled by then (the queue is
    /// FIFO and the watch hands events over in order), so what did not happen by then is not going to.
    /// </summary>
    public async Task Barrier()
    {
        var key = Key($"barrier-{++_barriers}");
        Api.Create(Widget.Named(key.Name));
        await Until(() => Reconciler.Count(Call.Reconcile, key) == 1, $"{key} reconciled");
    }

    public string Describe() =>
        $"reconciler calls: [{Reconciler}]; requests: [{string.Join(", ", Api.Requests.Select(r => $"{r.Verb} {r.Key} {(int)r.Status}"))}]";

    public async ValueTask DisposeAsync()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        await _stop.CancelAsync();
        try
        {
            await _run.WaitAsync(s_deadline);
            WatchesLeftOpen = Api.OpenWatches;
        }
        finally
        {
            _kubernetes.Dispose();
            Api.Dispose();
            _stop.Dispose();
        }
    }
}
