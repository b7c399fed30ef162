using System.Net;
using k8s.Autorest;
using LeakOperator.Leaks;
using LeakOperator.Leaks.Injections;
using LeakOperator.Operator;
using LeakOperator.Operator.Api;
using LeakOperator.TestSupport.FakeApi;
using Microsoft.Extensions.Logging.Abstractions;
using static LeakOperator.Tests.Operator.StatusWriterBed;

namespace LeakOperator.Tests.Operator;

/// <summary>
/// The write-up's bug as <see cref="DirectReconciler"/> does it: every call reads the LeakTest and writes its status,
/// unpaced and never retried; a write that loses a race is lost (reported as a conflict, as the goroutine drops it).
/// </summary>
public sealed class DirectReconcilerTests : IAsyncDisposable
{
    private readonly StatusWriterBed _bed = new();
    private readonly InjectionTracker _tracker;
    private readonly List<string> _results = [];
    private readonly DirectReconciler _direct;

    public DirectReconcilerTests()
    {
        var factory = new InjectionFactory(new LeakBudget(new LeakBudgetLimits()), _bed.Time);
        _tracker = new InjectionTracker(factory, new InjectionInventory(), _bed.Time, NullLogger<InjectionTracker>.Instance);
        _direct = new DirectReconciler(_bed.Client, _tracker, _bed.Time, _results.Add);
    }

    [Fact]
    public async Task Each_direct_reconcile_reads_the_LeakTest_and_writes_its_status_however_little_changed()
    {
        var obj = _bed.Create(Observed(InjectionPhase.Injecting, live: 0));
        await TrackAsync(obj.Metadata.Uid);

        await _direct.ReconcileAsync(Key, CancellationToken.None);
        await _direct.ReconcileAsync(Key, CancellationToken.None);

        // No coalescing and no pacing: two passes, two reads, two writes (the StatusWriter would have sent one at most).
        Assert.Equal(["Get 200", "ReplaceStatus 200", "Get 200", "ReplaceStatus 200"], _bed.Requests);
        Assert.Equal(1, _bed.Stored().Status?.ObservedGeneration);
        Assert.Equal(["success", "success"], _results);
    }

    [Fact]
    public async Task A_write_that_loses_a_race_is_not_retried_and_is_reported_as_a_conflict()
    {
        var obj = _bed.Create(Observed(InjectionPhase.Injecting, live: 0));
        await TrackAsync(obj.Metadata.Uid);
        _bed.Api.BeforeNext(ApiVerb.ReplaceStatus, _bed.SomeoneElseWrites);

        var lost = await Assert.ThrowsAsync<HttpOperationException>(() => _direct.ReconcileAsync(Key, CancellationToken.None));

        Assert.Equal(HttpStatusCode.Conflict, lost.Response.StatusCode);
        Assert.Equal(["Get 200", "ReplaceStatus 409"], _bed.Requests);
        Assert.Equal(["conflict"], _results);
    }

    [Fact]
    public async Task A_LeakTest_not_tracked_or_recreated_under_the_same_name_is_read_and_left_alone()
    {
        _bed.Create(Observed(InjectionPhase.Injecting, live: 0));
        await _direct.ReconcileAsync(Key, CancellationToken.None);

        // Tracked for an older object of that name: this one is not the tracked injection's owner.
        await TrackAsync(uid: "uid-of-a-deleted-object");
        await _direct.ReconcileAsync(Key, CancellationToken.None);

        _bed.Api.Delete(Key);
        await _direct.ReconcileAsync(Key, CancellationToken.None);

        Assert.Equal(["Get 200", "Get 200", "Get 404"], _bed.Requests);
        Assert.Equal(["success", "success", "success"], _results);
    }

    public async ValueTask DisposeAsync()
    {
        await _tracker.ReleaseAllAsync();
        await _bed.DisposeAsync();
    }

    private Task<TrackedInjection> TrackAsync(string uid) =>
        _tracker.StartAsync(new LeakOwner(Key.Namespace, Key.Name), InjectionSpec.Default(LeakType.Memory, LeakMode.Safe), 1, uid, () => { }, null);
}
