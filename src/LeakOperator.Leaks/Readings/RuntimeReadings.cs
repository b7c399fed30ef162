using System.Diagnostics;
using LeakOperator.Diagnostics;

namespace LeakOperator.Leaks.Readings;

/// <summary>What the runtime says about the whole process at one moment: the numbers a leak moves.</summary>
/// <param name="ActiveTimers">Timer.ActiveCount: every scheduled timer, including Task.Delay and HTTP handler timers.</param>
/// <param name="GcHeapBytes">Heap size after the last GC (0 before the first GC).</param>
/// <param name="OpenSockets">Sockets open (-1 where /proc is missing), apart from those on the serving port.</param>
/// <param name="ServingSockets">Sockets on the process's own serving port: its listener and the connections accepted
/// on it (a scraper's keep-alive connection). Not a leak of the process: counted apart.</param>
public sealed record RuntimeReadings(
    long ActiveTimers,
    int ThreadPoolThreads,
    long ThreadPoolQueueLength,
    long GcHeapBytes,
    long WorkingSetBytes,
    int OpenSockets,
    long HttpClientOpenConnections,
    int ServingSockets = 0)
{
    /// <summary>Reads the process now; sockets on <paramref name="servingPort"/> are counted apart.</summary>
    public static RuntimeReadings Take(int? servingPort = null)
    {
        using var self = Process.GetCurrentProcess();
        var (sockets, serving) = ProcessSockets.Count(servingPort);
        return new RuntimeReadings(
            Timer.ActiveCount,
            ThreadPool.ThreadCount,
            ThreadPool.PendingWorkItemCount,
            GC.GetGCMemoryInfo().HeapSizeBytes,
            self.WorkingSet64,
            sockets,
            HttpClientConnections.OpenTotal,
            serving);
    }
}
