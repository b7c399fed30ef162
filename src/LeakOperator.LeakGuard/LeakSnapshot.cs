namespace LeakOperator.Diagnostics;

/// <summary>One reading of everything a guard compares, taken after a full collection.</summary>
internal sealed record LeakSnapshot(
    TimerDumpResult Timers,
    int Sockets,
    IReadOnlyDictionary<int, long> HttpConnectionsByPort,
    IReadOnlyDictionary<string, int> ThreadsByName,
    long HeapBytes)
{
    private static readonly TimerDumpResult s_noTimers = new(true, 0, [], null);
    private static readonly Dictionary<int, long> s_noConnections = [];
    private static readonly Dictionary<string, int> s_noThreads = [];

    public static LeakSnapshot Take(LeakChecks checks)
    {
        // A timer nobody references is finalized and unscheduled by a collection: garbage is not a leak.
        FullGc.Collect();
        return new LeakSnapshot(
            checks.HasFlag(LeakChecks.Timers) ? TimerDump.Take() : s_noTimers,
            checks.HasFlag(LeakChecks.Sockets) ? Math.Max(0, ProcessSockets.Count(servingPort: null).Other) : 0,
            checks.HasFlag(LeakChecks.HttpConnections) ? HttpClientConnections.OpenByPort() : s_noConnections,
            checks.HasFlag(LeakChecks.Threads) ? ProcessThreads.NotInPoolByName() : s_noThreads,
            checks.HasFlag(LeakChecks.Heap) ? GC.GetTotalMemory(forceFullCollection: false) : 0);
    }
}
