using k8s;
using LeakOperator.Controller.Resources;
using LeakOperator.IntegrationTests.ControlPlane;
using LeakOperator.Operator.Api;

namespace LeakOperator.IntegrationTests;

/// <summary>
/// Our own line-by-line watch (<c>JsonLinesWatch</c>) against the real API server: each event typed by its line's
/// <c>type</c>, a too-old version reported as a 410 event the watcher relists on, and a watch the server closes with
/// nothing to say ending quietly. The operator-level tests (fault, self-leak, lifecycle) run on it too.
/// </summary>
[Collection(ControlPlaneGroup.Name)]
public sealed class WatchStreamTests(ControlPlaneFixture fixture)
{
    private static readonly TimeSpan s_deadline = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task Added_modified_and_deleted_arrive_typed_in_order()
    {
        await using var bed = await OperatorTestBed.CreateAsync(fixture, "watch");
        var (ns, objects) = bed;
        using var timeout = new CancellationTokenSource(s_deadline);
        var (_, version) = await objects.Client.ListAsync(timeout.Token);

        var seen = new List<(WatchEventType Type, string Name, double? Rate)>();
        var watching = Task.Run(
            async () =>
            {
                await foreach (var change in objects.Client.WatchAsync(version, s_deadline, timeout.Token))
                {
                    if (change.Resource is { } t && t.Metadata.NamespaceProperty == ns.Name)
                    {
                        seen.Add((change.Type, t.Metadata.Name, t.Spec.RatePerSecond));
                        if (change.Type == WatchEventType.Deleted)
                        {
                            return;
                        }
                    }
                }
            },
            timeout.Token);

        await objects.CreateAsync(LeakTestObjects.New(ns, "w", new LeakTestSpec { LeakType = "task", Mode = "safe", RatePerSecond = 1, MaxUnits = 1 }));
        await objects.UpdateSpecAsync(ns, "w", spec => spec.RatePerSecond = 2);
        await objects.DeleteAsync(ns, "w");
        await watching;

        Assert.Equal(new (WatchEventType, string, double?)[] { (WatchEventType.Added, "w", 1), (WatchEventType.Modified, "w", 2), (WatchEventType.Deleted, "w", 2) }, seen);
    }

    [Fact]
    public async Task A_version_older_than_the_servers_window_comes_as_a_410_event_not_an_exception()
    {
        var client = new CustomResourceClient<LeakTest>(fixture.Admin, LeakTest.Definition);
        using var timeout = new CancellationTokenSource(s_deadline);
        var events = new List<WatchEvent<LeakTest>>();
        await foreach (var change in client.WatchAsync("1", s_deadline, timeout.Token))
        {
            events.Add(change);
            break;
        }

        var first = Assert.Single(events);
        Assert.Equal(WatchEventType.Error, first.Type);
        Assert.Equal(410, first.Error?.Code);
    }

    [Fact]
    public async Task A_watch_the_server_ends_before_any_event_ends_without_an_error()
    {
        await using var ns = await TestNamespace.CreateAsync(fixture, "quiet");
        var client = new CustomResourceClient<LeakTest>(fixture.Admin, LeakTest.Definition);
        using var timeout = new CancellationTokenSource(s_deadline);
        var (_, version) = await client.ListAsync(timeout.Token);

        // Nothing changes in the second it lasts (other tests' objects may: those events are fine, an exception is not).
        int events = 0;
        await foreach (var change in client.WatchAsync(version, TimeSpan.FromSeconds(1), timeout.Token))
        {
            Assert.NotEqual(WatchEventType.Error, change.Type);
            events++;
        }

        Assert.False(timeout.IsCancellationRequested, $"the server did not end a 1 s watch ({events} events seen)");
    }

    [Fact]
    public async Task A_watch_the_server_refuses_throws_its_status()
    {
        var client = new CustomResourceClient<LeakTest>(fixture.Admin, LeakTest.Definition with { Plural = "nosuchthings" });
        using var timeout = new CancellationTokenSource(s_deadline);
        var refused = await Assert.ThrowsAsync<k8s.Autorest.HttpOperationException>(async () =>
        {
            await foreach (var change in client.WatchAsync("0", s_deadline, timeout.Token))
            {
                Assert.Fail($"an event from a resource that does not exist: {change.Type}");
            }
        });

        Assert.Equal(System.Net.HttpStatusCode.NotFound, refused.Response.StatusCode);
        Assert.Contains("404", refused.Response.Content, StringComparison.Ordinal);
    }
}
