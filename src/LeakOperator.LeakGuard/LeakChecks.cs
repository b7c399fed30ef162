namespace LeakOperator.Diagnostics;

/// <summary>What a guard compares between its start and its verification.</summary>
[Flags]
public enum LeakChecks
{
    /// <summary>Nothing.</summary>
    None = 0,

    /// <summary>Scheduled timers (PeriodicTimer, Task.Delay, System.Threading.Timer, System.Timers.Timer), by owner.</summary>
    Timers = 1,

    /// <summary>Open sockets of the process.</summary>
    Sockets = 2,

    /// <summary>Open HttpClient connections (active and idle), by server port.</summary>
    HttpConnections = 4,

    /// <summary>Threads that are not thread-pool workers, by name.</summary>
    Threads = 8,

    /// <summary>GC heap growth after a full collection; on only when <see cref="LeakGuardOptions.HeapGrowthLimitBytes"/> is set.</summary>
    Heap = 16,

    /// <summary>Everything but the heap: the default.</summary>
    Default = Timers | Sockets | HttpConnections | Threads,
}
