using LeakOperator.Leaks.Injections;
using LeakOperator.Operator;
using LeakOperator.Operator.Api;
using LeakOperator.TestSupport.FakeApi;
using static LeakOperator.Tests.Operator.StatusWriterBed;

namespace LeakOperator.Tests.Operator;

/// <summary>
/// <see cref="StatusWriter"/> over the fake API: what it sends, what it holds back, and what a 409 or a deletion
/// does to a write and to a refresh. Nothing runs in the background: every request is at the fake by the time the
/// awaited call returns, so nothing is waited for, and pacing time moves only when a test advances the fake clock.
/// </summary>
public sealed class StatusWriterTests : IAsyncDisposable
{
    private readonly StatusWriterBed _bed = new();

    private static CancellationToken None => CancellationToken.None;

    [Fact]
    public async Task A_write_sends_the_change_once_and_an_identical_second_write_sends_nothing()
    {
        var obj = _bed.Create();

        var first = await _bed.Writer.WriteAsync(obj, Observed(InjectionPhase.Injecting, live: 12), None);

        Assert.Equal(StatusWriteOutcome.Written, first.Outcome);
        Assert.Equal(12, first.Status?.LeakedUnits);
        Assert.Equal(Json(_bed.Stored().Status), Json(first.Status));

        // The same change on what the server now has: a PUT would only wake every watcher.
        var second = await _bed.Writer.WriteAsync(_bed.Stored(), Observed(InjectionPhase.Injecting, live: 12), None);

        Assert.Equal(StatusWriteOutcome.Unchanged, second.Outcome);
        Assert.Equal(Json(first.Status), Json(second.Status));
        Assert.Equal(["ReplaceStatus 200"], _bed.Requests);
    }

    [Fact]
    public async Task A_write_on_a_stale_copy_meets_409_reads_again_and_writes_counting_one_conflict()
    {
        var stale = _bed.Create(Observed(InjectionPhase.Injecting, live: 12));
        _bed.SomeoneElseWrites();

        var write = await _bed.Writer.WriteAsync(stale, Observed(InjectionPhase.Holding, live: 20), None);

        Assert.Equal(StatusWriteOutcome.Written, write.Outcome);
        Assert.Equal(["ReplaceStatus 409", "Get 200", "ReplaceStatus 200"], _bed.Requests);
        var stored = _bed.Stored();
        Assert.Equal(LeakTestPhases.Holding, stored.Status?.Phase);
        Assert.Equal(20, stored.Status?.LeakedUnits);
        Assert.Equal("someone", stored.Metadata.Labels?["touched-by"]);
        Assert.Equal(1, await _bed.ConflictsAsync());
    }

    [Fact]
    public async Task A_numbers_only_refresh_right_after_this_injections_write_waits_for_the_paced_interval()
    {
        _bed.Create(Observed(InjectionPhase.Injecting, live: 12));
        var tracked = _bed.Track();
        var written = await Refresh(tracked, live: 13);
        Assert.Equal(StatusWriteOutcome.Written, written.Outcome);

        var deferred = await Refresh(tracked, live: 14);

        Assert.Equal(StatusWriteOutcome.Deferred, deferred.Outcome);
        Assert.Equal(13, _bed.Stored().Status?.LeakedUnits);

        // One pacing interval (one injection: the floor) after the write, to the tick: just before it still waits.
        _bed.Time.Advance(StatusPacing.MinStatusWriteInterval - TimeSpan.FromTicks(1));
        Assert.Equal(StatusWriteOutcome.Deferred, (await Refresh(tracked, live: 14)).Outcome);
        Assert.Equal(1, _bed.StatusPuts);

        _bed.Time.Advance(TimeSpan.FromTicks(1));
        var later = await Refresh(tracked, live: 14);

        Assert.Equal(StatusWriteOutcome.Written, later.Outcome);
        Assert.Equal(14, _bed.Stored().Status?.LeakedUnits);
        Assert.Equal(2, _bed.StatusPuts);
    }

    [Fact]
    public async Task The_paced_interval_stretches_with_the_number_of_injections_sharing_the_rate()
    {
        _bed.Create(Observed(InjectionPhase.Injecting, live: 12));
        var tracked = _bed.Track();
        await Refresh(tracked, live: 13, injections: 100);

        // 100 injections at 20 writes a second: 5 s apart, less the 20 % share (see StatusPacing), is 4 s, not 1 s.
        _bed.Time.Advance(TimeSpan.FromSeconds(3.9));
        Assert.Equal(StatusWriteOutcome.Deferred, (await Refresh(tracked, live: 14, injections: 100)).Outcome);

        _bed.Time.Advance(TimeSpan.FromSeconds(0.1));
        Assert.Equal(StatusWriteOutcome.Written, (await Refresh(tracked, live: 14, injections: 100)).Outcome);
    }

    [Fact]
    public async Task A_significant_refresh_is_written_at_once_even_within_the_paced_interval()
    {
        _bed.Create(Observed(InjectionPhase.Injecting, live: 12));
        var tracked = _bed.Track();
        await Refresh(tracked, live: 13);
        Assert.Equal(StatusWriteOutcome.Deferred, (await Refresh(tracked, live: 14)).Outcome);

        // Injecting -> Holding moves the phase and the Injecting condition: what a user acts on.
        var holding = await Refresh(tracked, InjectionPhase.Holding, live: 14);

        Assert.Equal(StatusWriteOutcome.Written, holding.Outcome);
        Assert.Equal(LeakTestPhases.Holding, _bed.Stored().Status?.Phase);
        Assert.Equal(2, _bed.StatusPuts);
    }

    [Fact]
    public async Task A_numbers_only_refresh_that_meets_409_gives_up_at_once_and_counts_the_conflict()
    {
        var lost = await RefreshStaleCopy(InjectionPhase.Injecting, live: 13);

        // No re-read and no second PUT: the next refresh pass makes this write anyway.
        Assert.Equal(new StatusWrite(StatusWriteOutcome.LostToConflict, null), lost);
        Assert.Equal(["ReplaceStatus 409"], _bed.Requests);
        Assert.Equal(12, _bed.Stored().Status?.LeakedUnits);
        Assert.Equal(1, await _bed.ConflictsAsync());
    }

    [Fact]
    public async Task A_significant_refresh_that_meets_409_is_retried_on_a_fresh_read()
    {
        var write = await RefreshStaleCopy(InjectionPhase.Holding, live: 12);

        Assert.Equal(StatusWriteOutcome.Written, write.Outcome);
        Assert.Equal(["ReplaceStatus 409", "Get 200", "ReplaceStatus 200"], _bed.Requests);
        Assert.Equal(LeakTestPhases.Holding, _bed.Stored().Status?.Phase);
        Assert.Equal(1, await _bed.ConflictsAsync());
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_write_or_refresh_of_a_deleted_LeakTest_is_Gone(bool refresh)
    {
        var copy = _bed.Create(Observed(InjectionPhase.Injecting, live: 12));
        _bed.Api.Delete(Key);

        var write = refresh
            ? await _bed.Writer.RefreshAsync(copy, Observed(InjectionPhase.Holding), _bed.Track(), 1, None)
            : await _bed.Writer.WriteAsync(copy, Observed(InjectionPhase.Holding), None);

        Assert.Equal(new StatusWrite(StatusWriteOutcome.Gone, null), write);
        Assert.Equal(["ReplaceStatus 404"], _bed.Requests);
    }

    [Fact]
    public async Task A_write_whose_re_read_after_409_finds_the_LeakTest_deleted_is_Gone()
    {
        var stale = _bed.Create(Observed(InjectionPhase.Injecting, live: 12));
        _bed.SomeoneElseWrites();
        _bed.Api.BeforeNext(ApiVerb.Get, () => _bed.Api.Delete(Key));

        var write = await _bed.Writer.WriteAsync(stale, Observed(InjectionPhase.Holding), None);

        Assert.Equal(new StatusWrite(StatusWriteOutcome.Gone, null), write);
        Assert.Equal(["ReplaceStatus 409", "Get 404"], _bed.Requests);
        Assert.Equal(1, await _bed.ConflictsAsync());
    }

    public ValueTask DisposeAsync() => _bed.DisposeAsync();

    private Task<StatusWrite> Refresh(TrackedInjection tracked, long live, int injections = 1) =>
        Refresh(tracked, InjectionPhase.Injecting, live, injections);

    /// <summary>A refresh as the reconciler makes it: from the object as it is now, observing the injection.</summary>
    private Task<StatusWrite> Refresh(TrackedInjection tracked, InjectionPhase phase, long live, int injections = 1) =>
        _bed.Writer.RefreshAsync(_bed.Stored(), Observed(phase, live), tracked, injections, None);

    /// <summary>A refresh from a copy at 12 units, Injecting, that another client's write has made stale (a 409).</summary>
    private Task<StatusWrite> RefreshStaleCopy(InjectionPhase phase, long live)
    {
        var stale = _bed.Create(Observed(InjectionPhase.Injecting, live: 12));
        _bed.SomeoneElseWrites();
        return _bed.Writer.RefreshAsync(stale, Observed(phase, live), _bed.Track(), injections: 1, None);
    }

    private static string Json(LeakTestStatus? status) => k8s.KubernetesJson.Serialize(status);
}
