using System.Globalization;
using LeakOperator.Leaks.Readings;

namespace LeakOperator.Lab;

/// <summary>
/// The verdict on the process after every injection is released and a full GC ran: is it back where it started?
/// Judged on what a leak leaves behind — timers, sockets (apart from the lab's own /metrics port), HTTP client
/// connections — and on the GC heap with an allowance. Thread-pool threads and the working set are shown, not judged:
/// the pool keeps threads it grew for a while, and the GC keeps memory committed after it collects.
/// </summary>
internal sealed record BaselineCheck(bool BackToBaseline, IReadOnlyList<string> Differences)
{
    /// <summary>What the heap may keep after release: JIT'd code's data, caches, metric series; far below a leak the
    /// lab makes in its run (the memory leak retains tens of MiB).</summary>
    public const long HeapAllowanceBytes = 8L * 1024 * 1024;

    public static BaselineCheck Compare(RuntimeReadings baseline, RuntimeReadings afterRelease)
    {
        var differences = new List<string>();
        More(differences, "timers", baseline.ActiveTimers, afterRelease.ActiveTimers);
        More(differences, "sockets", baseline.OpenSockets, afterRelease.OpenSockets);
        More(differences, "HTTP client connections", baseline.HttpClientOpenConnections, afterRelease.HttpClientOpenConnections);
        long heapGrowth = afterRelease.GcHeapBytes - baseline.GcHeapBytes;
        if (heapGrowth > HeapAllowanceBytes)
        {
            differences.Add(string.Create(
                CultureInfo.InvariantCulture,
                $"GC heap {Mib(afterRelease.GcHeapBytes)} is {Mib(heapGrowth)} above the baseline {Mib(baseline.GcHeapBytes)}"
                + $" (allowance {Mib(HeapAllowanceBytes)})"));
        }

        return new BaselineCheck(differences.Count == 0, differences);
    }

    /// <summary>The console's and the reports' one line: "Back to baseline" or "Not back to baseline: …".</summary>
    public string Summary => BackToBaseline ? "Back to baseline" : $"Not back to baseline: {LeftBehind}";

    /// <summary>What the process kept, one difference after another.</summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public string LeftBehind => string.Join("; ", Differences);

    private static void More(List<string> differences, string what, long baseline, long after)
    {
        if (after > baseline)
        {
            differences.Add(string.Create(CultureInfo.InvariantCulture, $"{after - baseline} {what} more than the baseline ({after} against {baseline})"));
        }
    }

    private static string Mib(long bytes) => string.Create(CultureInfo.InvariantCulture, $"{bytes / 1048576.0:0.0} MiB");
}
