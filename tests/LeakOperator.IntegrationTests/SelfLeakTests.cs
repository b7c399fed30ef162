using k8s;
using LeakOperator.Controller.Election;
using LeakOperator.Controller.Instrumentation;
using LeakOperator.Controller.Resources;
using LeakOperator.Controller.Watching;
using LeakOperator.Diagnostics;
using LeakOperator.IntegrationTests.ControlPlane;
using LeakOperator.Leaks.Readings;
using LeakOperator.Operator.Api;
using LeakOperator.TestSupport;
using Microsoft.Extensions.Logging.Abstractions;

namespace LeakOperator.IntegrationTests;

/// <summary>
/// The operator must not leak in its own plumbing. KubeOps users saw memory grow with every watch reconnect; here
/// 1,000 reconnects and 100 leadership changes against the real API server must leave heap, scheduled timers and
/// sockets where they were.
/// </summary>
[Collection(ControlPlaneGroup.Name)]
public sealed class SelfLeakTests(ControlPlaneFixture fixture, Xunit.Abstractions.ITestOutputHelper output)
{
    [Fact]
    public async Task A_thousand_watch_reconnects_leave_heap_timers_and_sockets_at_baseline()
    {
        var config = KubernetesClientConfiguration.BuildConfigFromConfigFile(fixture.Plane.AdminKubeconfig);
        using var kubernetes = new Kubernetes(config, new EndEveryWatchAtOnce());
        var client = new CustomResourceClient<LeakTest>(kubernetes, LeakTest.Definition);
        var observer = new ReconnectCounter();
        var errors = new ErrorLog();
        var watcher = new ResourceWatcher<LeakTest>(client, new ObjectCache<LeakTest>(), _ => { }, errors, observer, timing: WatchTiming.Default with { MinBackoff = TimeSpan.FromMilliseconds(1) });
        using var stop = new CancellationTokenSource();
        var running = watcher.RunAsync(stop.Token);

        await Eventually.True(
            () => Task.FromResult(observer.Ended >= 100),
            () => $"100 warm-up reconnects ({observer.Ended}; health: {watcher.Health.Describe()}; {errors.Last})",
            TimeSpan.FromSeconds(20));
        var baseline = Settled();
        int from = observer.Ended;
        await Eventually.True(() => observer.Ended >= from + 1000, "1,000 more reconnects", TimeSpan.FromSeconds(240));
        var after = Settled();
        await stop.CancelAsync();
        await running;

        output.WriteLine(
            $"1,000 watch reconnects: heap {baseline.GcHeapBytes} -> {after.GcHeapBytes} B, "
            + $"timers {baseline.ActiveTimers} -> {after.ActiveTimers}, sockets {baseline.OpenSockets} -> {after.OpenSockets}");
        Assert.True(after.GcHeapBytes <= (baseline.GcHeapBytes * 1.10) + (512 * 1024), $"heap {baseline.GcHeapBytes} -> {after.GcHeapBytes} bytes over 1,000 reconnects");
        Assert.True(after.ActiveTimers <= baseline.ActiveTimers + 5, $"scheduled timers {baseline.ActiveTimers} -> {after.ActiveTimers}");
        Assert.True(after.OpenSockets <= baseline.OpenSockets + 5, $"sockets {baseline.OpenSockets} -> {after.OpenSockets}");
        Assert.True(watcher.Health.IsHealthy, watcher.Health.Describe());
    }

    [Fact]
    public async Task A_hundred_leadership_changes_leave_heap_timers_and_sockets_at_baseline()
    {
        // Two runners in this process contend for one Lease with short timings; handing the Lease to the other one
        // is a leadership change: the holder stops renewing within its deadline, the other starts a term.
        string lease = $"self-leak-{Guid.NewGuid():N}"[..24];
        var a = new ElectedWork(fixture, lease, "a", renewDeadline: TimeSpan.FromMilliseconds(500));
        var b = new ElectedWork(fixture, lease, "b", renewDeadline: TimeSpan.FromMilliseconds(500));
        using var stop = new CancellationTokenSource();
        var running = Task.WhenAll(a.RunAsync(stop.Token), b.RunAsync(stop.Token));

        await ChangeLeadership(10, a, b, lease);
        var baseline = Settled();
        int termsBefore = a.Terms + b.Terms;
        await ChangeLeadership(100, a, b, lease);
        var after = Settled();
        int terms = a.Terms + b.Terms - termsBefore;
        await stop.CancelAsync();
        await running;

        output.WriteLine(
            $"100 leadership changes ({terms} terms): heap {baseline.GcHeapBytes} -> {after.GcHeapBytes} B, "
            + $"timers {baseline.ActiveTimers} -> {after.ActiveTimers}, sockets {baseline.OpenSockets} -> {after.OpenSockets}");
        Assert.True(terms >= 100, $"only {terms} terms started in 100 changes");
        Assert.True(after.GcHeapBytes <= (baseline.GcHeapBytes * 1.10) + (512 * 1024), $"heap {baseline.GcHeapBytes} -> {after.GcHeapBytes} bytes over 100 leadership changes");
        Assert.True(after.ActiveTimers <= baseline.ActiveTimers + 5, $"scheduled timers {baseline.ActiveTimers} -> {after.ActiveTimers}");
        Assert.True(after.OpenSockets <= baseline.OpenSockets + 5, $"sockets {baseline.OpenSockets} -> {after.OpenSockets}");
    }

    /// <summary>Hands the Lease to whichever runner is not leading, <paramref name="changes"/> times, waiting for each term.</summary>
    private async Task ChangeLeadership(int changes, ElectedWork a, ElectedWork b, string lease)
    {
        await Eventually.True(() => a.Leading || b.Leading, "one runner leads", TimeSpan.FromSeconds(30));
        for (int i = 0; i < changes; i++)
        {
            var (from, to) = a.Leading ? (a, b) : (b, a);
            int termsOfTo = to.Terms;
            await LeaseHolder.WriteAsync(fixture.Admin, lease, to.Identity);
            await Eventually.True(() => to.Terms > termsOfTo && !from.Leading, () => $"change {i + 1}: {to.Identity} leads and {from.Identity} stepped down ({a}; {b})", TimeSpan.FromSeconds(30));
        }
    }

    private static RuntimeReadings Settled()
    {
        FullGc.Collect();
        return RuntimeReadings.Take();
    }

    /// <summary>Lets each watch reach the real server, then ends its stream at once, as a server closing it would.</summary>
    private sealed class EndEveryWatchAtOnce : DelegatingHandler
    {
        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var response = await base.SendAsync(request, cancellationToken);
            if (request.RequestUri?.Query.Contains("watch=true", StringComparison.Ordinal) != true)
            {
                return response;
            }

            // Closing the real stream closes the connection, as a server ending the watch does.
            response.Content.Dispose();
            response.Content = new StringContent("");
            return response;
        }
    }

    private sealed class ErrorLog : Microsoft.Extensions.Logging.ILogger
    {
        public string? Last { get; private set; }

        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(Microsoft.Extensions.Logging.LogLevel logLevel) => true;

        public void Log<TState>(
            Microsoft.Extensions.Logging.LogLevel logLevel,
            Microsoft.Extensions.Logging.EventId eventId,
            TState state,
            Exception? exception,
            Func<TState, Exception?, string> formatter)
        {
            if (exception is not null)
            {
                Last = exception.ToString();
            }
        }
    }

    private sealed class ReconnectCounter : IWatchObserver
    {
        private int _ended;

        public int Ended => Volatile.Read(ref _ended);

        public void Started(string resource)
        {
        }

        public void EventReceived(string resource, string type)
        {
        }

        public void Reconnected(string resource, string reason)
        {
            if (reason == "ended")
            {
                Interlocked.Increment(ref _ended);
            }
        }
    }
}
