namespace LeakOperator.Leaks.Tasks.Patterns;

/// <summary>
/// How a task leak's tickers go wrong: never stopped at all, or one of the write-up's ways a Stop() silently fails,
/// or .NET's own twin of them.
/// </summary>
public enum TaskPattern
{
    /// <summary>Every step starts a periodic timer loop nobody ever stops.</summary>
    Unstopped,

    /// <summary>Stop is a signal only a waiting loop hears; a Stop that lands mid-tick is dropped, yet reports success.</summary>
    LostStop,

    /// <summary>The owner returns early (error branch) before the line that would stop its ticker.</summary>
    EarlyReturn,

    /// <summary>Two threads stop the same ticker at once through a plain flag: cleanup runs twice.</summary>
    DoubleStop,

    /// <summary>Stop does not wait for a tick already running, so the handler runs after Stop returned.</summary>
    TickAfterStop,

    /// <summary>The loop's token is cancelled but the timer its owner holds is never disposed: it stays scheduled.</summary>
    CancelWithoutDispose,

    /// <summary>A ticker started inside every reconcile re-enqueues the object: reconciles and tickers multiply.</summary>
    ReconcileStorm,

    /// <summary>
    /// The write-up's storm as its code has it: every reconcile starts a ticker whose goroutine calls Reconcile itself,
    /// outside the work queue, on every tick. Reconciles of one object run concurrently, each with its own read and
    /// status write, and each starts one more ticker.
    /// </summary>
    ReconcileStormDirect,
}
