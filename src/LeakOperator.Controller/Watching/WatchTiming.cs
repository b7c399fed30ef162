namespace LeakOperator.Controller.Watching;

/// <summary>How long one watch request may last, and how the watcher backs off after errors.</summary>
public sealed record WatchTiming(TimeSpan WatchTimeout, TimeSpan MinBackoff, TimeSpan MaxBackoff)
{
    /// <summary>Doublings past this are past any sensible ceiling, and 2^n must stay a finite double.</summary>
    private const int MaxDoublings = 20;

    public static WatchTiming Default { get; } = new(TimeSpan.FromMinutes(5), TimeSpan.FromMilliseconds(200), TimeSpan.FromSeconds(30));

    /// <summary>
    /// The wait after <paramref name="failures"/> failures in a row (1 or more): <see cref="MinBackoff"/> doubling per
    /// failure up to <see cref="MaxBackoff"/>, with equal jitter — half that delay, plus <paramref name="random"/>
    /// (0 ≤ r &lt; 1) times the other half. Many operators restarted by one API server outage must not all come back
    /// in the same instant, and none retries sooner than half the delay.
    /// </summary>
    public TimeSpan Backoff(int failures, double random)
    {
        double doubled = MinBackoff.TotalMilliseconds * Math.Pow(2, Math.Clamp(failures - 1, 0, MaxDoublings));
        double capped = Math.Min(MaxBackoff.TotalMilliseconds, doubled);
        return TimeSpan.FromMilliseconds((capped / 2) + (random * capped / 2));
    }
}
