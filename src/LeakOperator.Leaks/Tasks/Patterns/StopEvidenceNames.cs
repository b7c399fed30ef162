namespace LeakOperator.Leaks.Tasks.Patterns;

/// <summary>
/// Every counter a stop pattern reports, named once: the lab report, the LeakTest status and the docs read these
/// words, and two patterns that count the same thing (a tick after Stop) count it under one name.
/// </summary>
internal static class StopEvidenceNames
{
    /// <summary>Units started (every pattern).</summary>
    public const string Attempts = "attempts";

    /// <summary>Stop() calls that said they worked (lost stop).</summary>
    public const string StopsReportedSuccess = "stopsReportedSuccess";

    /// <summary>Ticks that ran after Stop() returned (lost stop, tick after stop).</summary>
    public const string TicksAfterStop = "ticksAfterStop";

    /// <summary>Stops called from two threads at once (double stop).</summary>
    public const string ConcurrentStops = "concurrentStops";

    /// <summary>Cleanups beyond the first (double stop).</summary>
    public const string DoubleCleanups = "doubleCleanups";

    /// <summary>Returns that skipped the stop (early return).</summary>
    public const string EarlyReturns = "earlyReturns";

    /// <summary>Loops that ended after their token was cancelled (cancel without dispose).</summary>
    public const string LoopsEnded = "loopsEnded";
}
