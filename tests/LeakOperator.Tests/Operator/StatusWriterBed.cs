using System.Text;
using k8s;
using k8s.Models;
using LeakOperator.Controller.Instrumentation;
using LeakOperator.Controller.Resources;
using LeakOperator.Leaks;
using LeakOperator.Leaks.Injections;
using LeakOperator.Operator;
using LeakOperator.Operator.Api;
using LeakOperator.TestSupport;
using LeakOperator.TestSupport.FakeApi;
using Microsoft.Extensions.Time.Testing;
using Prometheus;

namespace LeakOperator.Tests.Operator;

/// <summary>
/// A <see cref="StatusWriter"/> as the operator wires it (RunCommand), over the in-process fake API through a real
/// KubernetesClient and CustomResourceClient, so 409s, 404s and resourceVersions are the server's, not a mock's. Time
/// is fake: pacing moves only when a test advances it. Its own metrics registry, so counts start at zero.
/// </summary>
internal sealed class StatusWriterBed : IAsyncDisposable
{
    public const string Controller = "status-writer-tests";

    public static readonly ObjectKey Key = new("default", "lt");

    private static readonly DateTime s_now = new(2026, 12, 4, 10, 1, 0, DateTimeKind.Utc);

    private readonly CollectorRegistry _registry = Metrics.NewCustomRegistry();
    private readonly Kubernetes _kubernetes;
    private readonly SharedSampler _sampler;
    private readonly InjectionFactory _injections;
    private readonly List<TrackedInjection> _tracked = [];

    public StatusWriterBed()
    {
        Api = new FakeApiServer<LeakTest>(LeakTest.Definition, Time);

        // BufferedResponses as in the operator's pipeline, and the fake where the socket handler would be.
        var config = new KubernetesClientConfiguration { Host = "http://fake-api.invalid" };
        _kubernetes = new Kubernetes(config, new BufferedResponses(), Api);
        Client = new CustomResourceClient<LeakTest>(_kubernetes, LeakTest.Definition, fieldManager: Controller);
        var pacing = new StatusPacing(StatusPacing.DefaultRefreshesPerSecond);
        Writer = new StatusWriter(Client, pacing, new ControllerMetrics(_registry, "test"), Controller);
        _sampler = new SharedSampler(TrackedInjection.SampleInterval, Time);
        _injections = new InjectionFactory(new LeakBudget(new LeakBudgetLimits()), Time);
    }

    public FakeTimeProvider Time { get; } = new(InjectionReadings.Started);

    public FakeApiServer<LeakTest> Api { get; }

    public StatusWriter Writer { get; }

    /// <summary>The client the writer writes through (the direct reconciler's, too).</summary>
    public CustomResourceClient<LeakTest> Client { get; }

    /// <summary>PUTs of /status the fake answered, whatever it answered.</summary>
    public int StatusPuts => Api.Requests.Count(r => r.Verb == ApiVerb.ReplaceStatus);

    /// <summary>Every request the writer made, as "verb code", for exact sequences and for failure messages.</summary>
    public IReadOnlyList<string> Requests => [.. Api.Requests.Select(r => $"{r.Verb} {(int)r.Status}")];

    /// <summary>The reconciler's change for an injection in <paramref name="phase"/> with <paramref name="live"/>
    /// units held.</summary>
    public static Action<LeakTestStatus> Observed(InjectionPhase phase, long live = 12) =>
        status => StatusProjection.Observe(status, InjectionReadings.Of(phase, live), generation: 1, s_now);

    /// <summary>Creates the LeakTest at the fake as kubectl would, <paramref name="status"/> already on it.</summary>
    public LeakTest Create(Action<LeakTestStatus>? status = null)
    {
        var obj = new LeakTest { Metadata = new V1ObjectMeta { Name = Key.Name, NamespaceProperty = Key.Namespace } };
        obj.Spec.LeakType = "memory";
        if (status is not null)
        {
            obj.Status = new LeakTestStatus();
            status(obj.Status);
        }

        return Api.Create(obj);
    }

    /// <summary>The LeakTest as the fake has it now (a fresh copy, as the cache would hand a worker).</summary>
    public LeakTest Stored() => Api.Get(Key) ?? throw new InvalidOperationException($"{Key} is gone");

    /// <summary>Another client's write that moves the resourceVersion on, so every copy read before it is stale.</summary>
    public void SomeoneElseWrites() =>
        Api.Update(Key, o => (o.Metadata.Labels ??= new Dictionary<string, string>())["touched-by"] = "someone");

    /// <summary>An injection, never started (only its status pacing matters), disposed with the bed.</summary>
    public TrackedInjection Track()
    {
        var owner = new LeakOwner(Key.Namespace, Key.Name);
        var injection = _injections.Create(owner, InjectionSpec.Default(LeakType.Memory, LeakMode.Leaky));
        var tracked = new TrackedInjection(injection, generation: 1, uid: "uid-1", _sampler, Time);
        _tracked.Add(tracked);
        return tracked;
    }

    /// <summary>The conflicts the writer counted for <see cref="Controller"/>, read from its /metrics text.</summary>
    public async Task<double> ConflictsAsync()
    {
        using var stream = new MemoryStream();
        await _registry.CollectAndExportAsTextAsync(stream);
        var scrape = new Scrape(Encoding.UTF8.GetString(stream.ToArray()));
        return scrape.Sum("test_status_conflicts_total", $"controller=\"{Controller}\"");
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var tracked in _tracked)
        {
            tracked.Dispose();
            await tracked.Injection.DisposeAsync();
        }

        _kubernetes.Dispose();
        Api.Dispose();
    }
}
