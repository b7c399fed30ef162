using System.Net;
using LeakOperator.Controller.Reconciling;
using LeakOperator.Controller.Resources;
using LeakOperator.Controller.Tests.FakeApi;
using Microsoft.Extensions.Time.Testing;
using static LeakOperator.Controller.Tests.ControllerHarness;

namespace LeakOperator.Controller.Tests;

/// <summary>
/// <see cref="Controller{T}"/> end to end over an in-process API (controller-runtime's
/// <c>pkg/internal/controller/controller_test.go</c>, with its fake client as the HTTP API the real KubernetesClient
/// talks to): list and watch in, finalizer and reconciles out. Nothing sleeps: each wait is on a condition with a
/// deadline, and "not before" is read right after a <see cref="FakeTimeProvider"/> advance, which runs due timers
/// before it returns.
/// </summary>
public sealed class ControllerTests
{
    private static ObjectKey A => Key("a");

    [Fact]
    public async Task An_object_in_the_first_list_gets_the_finalizer_and_then_one_reconcile()
    {
        await using var run = Start(["a"]);

        await run.UntilPassesEnded(1);

        // The finalizer write comes back as a MODIFIED event; that event must not reconcile a second time.
        await run.Barrier();

        var list = Assert.Single(run.Api.Requests, r => r.Verb == ApiVerb.List);
        Assert.Equal("0", list.Parameter("resourceVersion")); // the first list may come from the watch cache
        var put = Assert.Single(run.Api.Requests, r => r.Verb == ApiVerb.Replace && r.Key == A);
        Assert.Equal(HttpStatusCode.OK, put.Status);
        Assert.Equal([Finalizer], put.BodyAs<Widget>().Metadata.Finalizers);

        var reconciled = Assert.Single(run.Reconciler.CallsOf(Call.Reconcile, A)).Object!;
        Assert.Equal([Finalizer], reconciled.Metadata.Finalizers);

        // It was handed what the write returned, not the listed version the write made stale.
        Assert.Equal(run.Api.Get(A)!.Metadata.ResourceVersion, reconciled.Metadata.ResourceVersion);
    }

    [Fact]
    public async Task A_new_generation_reconciles_again_and_the_events_that_come_during_that_reconcile_collapse_into_one_more()
    {
        var release = new TaskCompletionSource<ReconcileResult>(TaskCreationOptions.RunContinuationsAsynchronously);
        var reconciler = new RecordingReconciler
        {
            // a's second reconcile holds until the test lets it go.
            OnReconcile = (w, n, ct) => w.Metadata.Name == "a" && n == 2 ? release.Task.WaitAsync(ct) : Task.FromResult(ReconcileResult.Done),
        };

        // Two workers: one held in a's reconcile, the other free for b below.
        await using var run = Start(["a"], workers: 2, reconciler: reconciler);
        await run.UntilPassesEnded(1);

        run.Api.Update(A, w => w.Spec.Size = 2);
        await run.Until(() => run.Reconciler.Count(Call.Reconcile, A) == 2, "a reconciled for generation 2");
        foreach (int size in new[] { 3, 4, 5 })
        {
            run.Api.Update(A, w => w.Spec.Size = size);
        }

        // b's ADDED event is behind a's three in the one watch stream: once the free worker has reconciled b, the
        // watch has handed all three to the queue.
        var b = Key("b");
        run.Api.Create(Widget.Named("b"));
        await run.Until(() => run.Reconciler.Count(Call.Reconcile, b) == 1, "b reconciled");

        // a was queued before b, yet the free worker did not take it: never the same key on two workers at once.
        Assert.Equal(2, run.Reconciler.Count(Call.Reconcile, A));

        // Adds that were not duplicates: a listed, a at generation 2, a at 3 (while held), b. Generations 4 and 5
        // found a already waiting.
        Assert.Equal(4, await run.MetricAsync("workqueue_adds_total"));

        release.SetResult(ReconcileResult.Done);
        await run.UntilPassesEnded(4); // a, a held, b, a once more

        // The one more reconcile reads the latest version from the cache, not the event that queued it.
        Assert.Equal(new long?[] { 1, 2, 5 }, run.Reconciler.CallsOf(Call.Reconcile, A).Select(c => c.Object!.Metadata.Generation));
        Assert.Equal(0, await run.MetricAsync("workqueue_depth"));
    }

    [Fact]
    public async Task A_reconcile_that_asks_to_come_back_after_a_delay_is_reconciled_again_once_it_has_passed_and_not_before()
    {
        var time = new FakeTimeProvider();
        var delay = TimeSpan.FromSeconds(30);
        var reconciler = new RecordingReconciler
        {
            OnReconcile = (_, n, _) => Task.FromResult(n == 1 ? ReconcileResult.After(delay) : ReconcileResult.Done),
        };
        await using var run = Start(["a"], time: time, reconciler: reconciler);

        // Counted once the pass has ended, and the delayed add is made before that.
        await run.Until(s => s.Sum("controller_runtime_reconcile_total", "result=\"requeue_after\"") == 1, "the first reconcile asked to come back");
        double adds = await run.MetricAsync("workqueue_adds_total");

        time.Advance(delay - TimeSpan.FromMilliseconds(1));
        Assert.Equal(adds, await run.MetricAsync("workqueue_adds_total"));
        Assert.Equal(1, run.Reconciler.Count(Call.Reconcile, A));

        time.Advance(TimeSpan.FromMilliseconds(1));
        Assert.Equal(adds + 1, await run.MetricAsync("workqueue_adds_total"));
        await run.Until(() => run.Reconciler.Count(Call.Reconcile, A) == 2, "a reconciled again after 30 s");
    }

    [Fact]
    public async Task A_failing_reconcile_is_retried_with_a_doubling_backoff_and_each_failure_is_counted()
    {
        var time = new FakeTimeProvider();
        var reconciler = new RecordingReconciler
        {
            OnReconcile = (_, n, _) => n <= 2 ? throw new InvalidOperationException($"attempt {n} fails") : Task.FromResult(ReconcileResult.Done),
        };
        await using var run = Start(["a"], time: time, reconciler: reconciler);

        // controller-runtime's default backoff: 5 ms after the first failure, doubling.
        await run.Until(s => s.Sum("controller_runtime_reconcile_errors_total") == 1, "the first failure counted");
        await RetriedAfter(TimeSpan.FromMilliseconds(5), attempt: 2);
        await run.Until(s => s.Sum("controller_runtime_reconcile_errors_total") == 2, "the second failure counted");
        await RetriedAfter(TimeSpan.FromMilliseconds(10), attempt: 3);
        await run.Until(s => s.Sum("controller_runtime_reconcile_total", "result=\"success\"") == 1, "the third attempt succeeded");

        Assert.Equal(2, await run.MetricAsync("controller_runtime_reconcile_errors_total", $"controller=\"{Name}\""));
        Assert.Equal(2, await run.MetricAsync("controller_runtime_reconcile_total", $"controller=\"{Name}\"", "result=\"error\""));
        Assert.Equal(2, await run.MetricAsync("workqueue_retries_total", $"name=\"{Name}\""));

        async Task RetriedAfter(TimeSpan backoff, int attempt)
        {
            double adds = await run.MetricAsync("workqueue_adds_total");
            time.Advance(backoff - TimeSpan.FromMilliseconds(1));
            Assert.Equal(adds, await run.MetricAsync("workqueue_adds_total"));
            time.Advance(TimeSpan.FromMilliseconds(1));
            Assert.Equal(adds + 1, await run.MetricAsync("workqueue_adds_total"));
            await run.Until(() => run.Reconciler.Count(Call.Reconcile, A) == attempt, $"attempt {attempt} after {backoff.TotalMilliseconds} ms");
        }
    }

    [Fact]
    public async Task Deleting_an_object_finalizes_it_before_the_finalizer_goes_and_its_DELETED_event_reports_it_gone()
    {
        var api = new FakeApiServer<Widget>(Widget.Definition);
        bool? finalizerStoredWhileFinalizing = null;
        var reconciler = new RecordingReconciler
        {
            OnFinalize = (_, _, _) =>
            {
                finalizerStoredWhileFinalizing = api.Get(A)?.Metadata.Finalizers?.Contains(Finalizer);
                return Task.CompletedTask;
            },
        };
        await using var run = Start(["a"], reconciler: reconciler, api: api);
        await run.UntilPassesEnded(1);

        run.Api.Delete(A);
        await run.Until(() => run.Reconciler.Count(Call.Deleted, A) == 1, "a reported deleted");

        var finalized = Assert.Single(run.Reconciler.CallsOf(Call.Finalize, A)).Object!;
        Assert.NotNull(finalized.Metadata.DeletionTimestamp);
        Assert.True(finalizerStoredWhileFinalizing, "the finalizer was gone from the API before FinalizeAsync ran");

        // One PUT added the finalizer, the next removed it; the API then let the object go.
        var puts = run.Api.Requests.Where(r => r.Verb == ApiVerb.Replace && r.Key == A).ToList();
        Assert.Equal(2, puts.Count);
        Assert.DoesNotContain(Finalizer, puts[1].BodyAs<Widget>().Metadata.Finalizers ?? []);
        Assert.Null(run.Api.Get(A));
        Assert.Equal([Call.Reconcile, Call.Finalize, Call.Deleted], run.Reconciler.Calls.Where(c => c.Key == A).Select(c => c.Method));
    }

    [Fact]
    public async Task An_object_that_goes_without_our_finalizer_is_reported_deleted_and_not_finalized()
    {
        await using var run = Start(["a"]);
        await run.UntilPassesEnded(1);

        run.Api.DeleteIgnoringFinalizers(A);
        await run.Until(() => run.Reconciler.Count(Call.Deleted, A) == 1, "a reported deleted");

        Assert.Equal([Call.Reconcile, Call.Deleted], run.Reconciler.Calls.Where(c => c.Key == A).Select(c => c.Method));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_watch_answered_410_Gone_relists_and_reconciles_what_changed_while_it_was_away(bool goneAsHttpStatus)
    {
        await using var run = Start(["a", "b", "c"]);
        await run.UntilPassesEnded(3);

        var (b, c, d) = (Key("b"), Key("c"), Key("d"));
        run.Api.ExpireWatches(
            () =>
            {
                run.Api.Update(A, w => w.Spec.Size = 2);
                run.Api.DeleteIgnoringFinalizers(b);
                run.Api.Create(Widget.Named("d"));
            },
            goneAsHttpStatus);

        // The relist enqueues a, c, d and then the vanished b: one worker takes them in that order.
        await run.Until(() => run.Reconciler.Count(Call.Deleted, b) == 1, "b reported deleted after the relist");

        var lists = run.Api.Requests.Where(r => r.Verb == ApiVerb.List).ToList();
        Assert.Equal(2, lists.Count);

        // The relist reads etcd: the watch cache may be older than what the watch had already seen.
        Assert.Null(lists[1].Parameter("resourceVersion"));
        Assert.Equal(1, await run.MetricAsync("test_watch_reconnects_total", "reason=\"expired\""));

        Assert.Equal(new long?[] { 1, 2 }, run.Reconciler.CallsOf(Call.Reconcile, A).Select(r => r.Object!.Metadata.Generation));
        Assert.Equal(1, run.Reconciler.Count(Call.Reconcile, d));

        // Unchanged, and reconciled again all the same: after a relist the watcher enqueues everything, on purpose
        // (ResourceWatcher.RelistAsync), so a change that came and went while away is not missed either.
        Assert.Equal(2, run.Reconciler.Count(Call.Reconcile, c));
    }

    [Fact]
    public async Task A_conflict_on_the_finalizer_write_is_retried_on_the_latest_version_and_counted()
    {
        // Someone else's write gets in between the list and the controller's PUT: the API's version check says 409.
        var api = new FakeApiServer<Widget>(Widget.Definition);
        api.BeforeNext(ApiVerb.Replace, () => api.Update(A, w => w.Metadata.Labels = new Dictionary<string, string> { ["team"] = "b" }));
        await using var run = Start(["a"], api: api);

        await run.UntilPassesEnded(1);

        Assert.Equal(
            [(ApiVerb.Replace, HttpStatusCode.Conflict), (ApiVerb.Get, HttpStatusCode.OK), (ApiVerb.Replace, HttpStatusCode.OK)],
            run.Api.Requests.Where(r => r.Key == A).Select(r => (r.Verb, r.Status)));
        Assert.Equal(1, await run.MetricAsync("test_status_conflicts_total", $"controller=\"{Name}\""));

        // The finalizer went onto the version read after the conflict, and that is what was reconciled.
        var reconciled = Assert.Single(run.Reconciler.CallsOf(Call.Reconcile, A)).Object!;
        Assert.Equal("b", reconciled.Metadata.Labels?["team"]);
        Assert.Equal([Finalizer], reconciled.Metadata.Finalizers);
    }

    // Failed before the fix: after the 409, ConflictRetry reads the object again, finds it being deleted, and
    // AddFinalizer declines (it adds nothing to an object being deleted); ProcessAsync, which checked the result only
    // for null, handed that object to ReconcileAsync as if it were live. It now goes on only when the finalizer was written.
    [Fact]
    public async Task A_finalizer_write_that_meets_a_deletion_does_not_reconcile_the_object_being_deleted()
    {
        // a carries someone else's finalizer, so deleting it only marks it; the mark lands between list and PUT.
        var api = new FakeApiServer<Widget>(Widget.Definition);
        var a = Widget.Named("a");
        a.Metadata.Finalizers = ["other.dev/keep"];
        api.Create(a);
        api.BeforeNext(ApiVerb.Replace, () => api.Delete(A));
        await using var run = Start([], api: api);

        // The 409 is followed by a GET of the marked object; its MODIFIED event then queues a once more.
        await run.UntilPassesEnded(2);

        Assert.Contains(run.Api.Requests, r => r.Verb == ApiVerb.Replace && r.Status == HttpStatusCode.Conflict);
        Assert.DoesNotContain(run.Reconciler.CallsOf(Call.Reconcile, A), c => c.Object!.Metadata.DeletionTimestamp is not null);
        Assert.Equal(0, run.Reconciler.Count(Call.Finalize, A));
    }

    [Fact]
    public async Task An_object_gone_before_its_finalizer_could_be_written_is_not_reconciled_and_not_an_error()
    {
        var api = new FakeApiServer<Widget>(Widget.Definition);
        api.FailNext(ApiVerb.Replace, HttpStatusCode.NotFound);
        await using var run = Start(["a"], api: api);

        await run.UntilPassesEnded(1);

        Assert.Equal(0, run.Reconciler.Count(Call.Reconcile, A));
        Assert.Equal(1, await run.MetricAsync("controller_runtime_reconcile_total", "result=\"success\""));
    }

    [Fact]
    public async Task Stopping_the_controller_closes_its_watch_and_releases_through_StoppedAsync_once()
    {
        var run = Start(["a"]);
        try
        {
            await run.UntilPassesEnded(1);
            await run.Until(() => run.Api.OpenWatches == 1 && run.Controller.IsHealthy, "watching and healthy");
        }
        finally
        {
            await run.DisposeAsync();
        }

        Assert.True(run.Run.IsCompletedSuccessfully);
        Assert.Equal(0, run.WatchesLeftOpen);
        Assert.False(run.Controller.IsHealthy);
        Assert.Single(run.Reconciler.Calls, c => c.Method == Call.Stopped);
        Assert.Equal(Call.Stopped, run.Reconciler.Calls[^1].Method);
    }
}
