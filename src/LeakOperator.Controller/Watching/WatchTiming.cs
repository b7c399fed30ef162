namespace LeakOperator.Controller.Watching;

/// <summary>How long one watch request may last, and how the watcher backs off after errors.</summary>
public sealed record WatchTiming(TimeSpan WatchTimeout, TimeSpan MinBackoff, TimeSpan MaxBackoff)
{
    public static WatchTiming Default { get; } = new(TimeSpan.FromMinutes(5), TimeSpan.FromMilliseconds(200), TimeSpan.FromSeconds(30));
}
