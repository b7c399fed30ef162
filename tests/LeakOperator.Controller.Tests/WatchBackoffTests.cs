using System.Net;
using k8s;
using LeakOperator.Controller.Resources;
using LeakOperator.Controller.Tests.FakeApi;
using LeakOperator.Controller.Watching;
using LeakOperator.TestSupport;
using Microsoft.Extensions.Logging.Abstractions;

namespace LeakOperator.Controller.Tests;

/// <summary>The watcher's wait after failed lists and watches: doubling, capped, and jittered by half.</summary>
public sealed class WatchBackoffTests
{
    private static readonly WatchTiming s_timing = WatchTiming.Default with
    {
        MinBackoff = TimeSpan.FromMilliseconds(200),
        MaxBackoff = TimeSpan.FromSeconds(30),
    };

    [Theory]
    [InlineData(1, 200)]
    [InlineData(2, 400)]
    [InlineData(5, 3_200)]
    [InlineData(8, 25_600)]
    [InlineData(9, 30_000)]
    [InlineData(1_000, 30_000)]
    [InlineData(int.MaxValue, 30_000)]
    public void The_delay_doubles_per_failure_up_to_the_ceiling_and_jitter_spans_its_upper_half(int failures, double delayMs)
    {
        // Equal jitter: the lowest draw waits half the delay, the highest (just under 1) almost all of it.
        Assert.Equal(delayMs / 2, s_timing.Backoff(failures, random: 0).TotalMilliseconds, precision: 6);
        Assert.Equal(delayMs * 0.75, s_timing.Backoff(failures, random: 0.5).TotalMilliseconds, precision: 6);
        Assert.InRange(s_timing.Backoff(failures, random: 0.999_999).TotalMilliseconds, delayMs * 0.999, delayMs);
    }

    [Fact]
    public void Draws_from_a_real_random_source_never_leave_the_jitter_band()
    {
        var random = new Random(1234);
        var waits = Enumerable.Range(0, 10_000).Select(_ => s_timing.Backoff(3, random.NextDouble()).TotalMilliseconds).ToList();

        Assert.All(waits, w => Assert.InRange(w, 400, 800));

        // Spread over the band, not bunched (what full-instant reconnects of many operators would look like).
        Assert.True(waits.Min() < 420 && waits.Max() > 780, $"min {waits.Min():0} ms, max {waits.Max():0} ms");
    }

    [Fact]
    public async Task A_watcher_whose_lists_fail_waits_a_doubling_jittered_delay_before_each_retry_then_watches()
    {
        var time = new TimerRecordingTime();
        var api = new FakeApiServer<Widget>(Widget.Definition, time);
        api.Create(Widget.Named("a"));
        for (int i = 0; i < 3; i++)
        {
            api.FailNext(ApiVerb.List, HttpStatusCode.InternalServerError);
        }

        using var kubernetes = new Kubernetes(new KubernetesClientConfiguration { Host = "http://fake-api.invalid" }, new BufferedResponses(), api);
        var client = new CustomResourceClient<Widget>(kubernetes, Widget.Definition);
        var cache = new ObjectCache<Widget>();
        var watcher = new ResourceWatcher<Widget>(client, cache, _ => { }, NullLogger.Instance, time: time, timing: s_timing);
        using var stop = new CancellationTokenSource();
        var run = watcher.RunAsync(stop.Token);

        // After failure n the watcher waits 200 ms * 2^(n-1), of which at least half: [100, 200], [200, 400], [400, 800].
        for (int failures = 1; failures <= 3; failures++)
        {
            int n = failures;
            await Eventually.True(() => time.DueTimes.Count == n, () => $"backoff {n} asked for (timers: {time.DueTimes.Count})");
            var wait = time.DueTimes[n - 1];
            double full = 200 * Math.Pow(2, n - 1);
            Assert.InRange(wait.TotalMilliseconds, full / 2, full);
            Assert.Equal(n, api.Requests.Count(r => r.Verb == ApiVerb.List));
            time.Clock.Advance(wait);
        }

        await Eventually.True(() => api.OpenWatches == 1 && cache.Count == 1, "listed on the fourth try, and watching");
        Assert.Equal(4, api.Requests.Count(r => r.Verb == ApiVerb.List));

        await stop.CancelAsync();
        await run.WaitAsync(TimeSpan.FromSeconds(10));
    }
}
