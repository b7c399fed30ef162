using System.Diagnostics;

namespace LeakOperator.Leaks.Readings;

/// <summary>What the runtime says about the whole process at one moment: the numbers a leak moves.</summary>
/// <param name="ActiveTimers">Timer.ActiveCount: every scheduled timer, including Task.Delay and HTTP handler timers.</param>
/// <param name="GcHeapBytes">Heap size after the last GC (0 before the first GC).</param>
public sealed record RuntimeReadings(
    long ActiveTimers,
    int ThreadPoolThreads,
    long ThreadPoolQueueLength,
    long GcHeapBytes,
    long WorkingSetBytes,
    int OpenSockets,
    long HttpClientOpenConnections)
{
    public static RuntimeReadings Take()
    {
        using var self = Process.GetCurrentProcess();
        return new RuntimeReadings(
            Timer.ActiveCount,
            ThreadPool.ThreadCount,
            ThreadPool.PendingWorkItemCount,
            GC.GetGCMemoryInfo().HeapSizeBytes,
            self.WorkingSet64,
            OpenSocketCount(),
            HttpClientConnections.OpenTotal);
    }

    /// <summary>Sockets this process has open (Linux: /proc/self/fd entries that are sockets; -1 elsewhere).</summary>
    public static int OpenSocketCount()
    {
        const string fds = "/proc/self/fd";
        if (!Directory.Exists(fds))
        {
            return -1;
        }

        int sockets = 0;
        foreach (var fd in Directory.EnumerateFiles(fds))
        {
            try
            {
                if (new FileInfo(fd).LinkTarget is { } target && target.StartsWith("socket:", StringComparison.Ordinal))
                {
                    sockets++;
                }
            }
            catch (IOException)
            {
                // The descriptor closed while we looked: it is not open.
            }
        }

        return sockets;
    }
}
