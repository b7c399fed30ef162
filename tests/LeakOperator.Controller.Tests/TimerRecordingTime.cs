using System.Collections.Concurrent;
using Microsoft.Extensions.Time.Testing;

namespace LeakOperator.Controller.Tests;

/// <summary>
/// A <see cref="FakeTimeProvider"/> that remembers the due time of every timer asked of it: a <c>Task.Delay</c> over
/// this clock shows here how long its caller chose to wait, and that it is waiting (so advancing the clock now fires it).
/// </summary>
internal sealed class TimerRecordingTime : TimeProvider
{
    private readonly ConcurrentQueue<TimeSpan> _dueTimes = new();

    public FakeTimeProvider Clock { get; } = new();

    public IReadOnlyList<TimeSpan> DueTimes => [.. _dueTimes];

    public override DateTimeOffset GetUtcNow() => Clock.GetUtcNow();

    public override long GetTimestamp() => Clock.GetTimestamp();

    public override long TimestampFrequency => Clock.TimestampFrequency;

    public override TimeZoneInfo LocalTimeZone => Clock.LocalTimeZone;

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        var timer = Clock.CreateTimer(callback, state, dueTime, period);

        // Recorded after the timer exists: a test that sees the due time may advance the clock past it.
        _dueTimes.Enqueue(dueTime);
        return timer;
    }
}
