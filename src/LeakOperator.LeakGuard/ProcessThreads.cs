namespace LeakOperator.Diagnostics;

/// <summary>
/// The threads of this process that are not thread-pool workers, counted by name (Linux: <c>/proc/self/task/*/comm</c>,
/// which the runtime sets from <see cref="Thread.Name"/>, cut to 15 characters).
/// </summary>
/// <remarks>
/// .NET has no API that lists managed threads. The kernel's list has every thread, and two facts make it usable:
/// the runtime names each of its own threads ".NET …", and a thread nobody named inherits the name of the thread
/// that started it. So an unnamed thread started from a pool worker is also called ".NET TP Worker"; the pool's own
/// workers are <see cref="ThreadPool.ThreadCount"/>, and the rest of that name are such threads.
/// </remarks>
public static class ProcessThreads
{
    /// <summary>The name the runtime gives its thread-pool workers.</summary>
    public const string PoolWorkerName = ".NET TP Worker";

    /// <summary>The name unnamed threads started from pool workers are reported under.</summary>
    public const string StartedFromPoolName = "(unnamed, started from a thread-pool thread)";

    /// <summary>Threads by name, thread-pool workers left out; empty where <c>/proc</c> is missing.</summary>
    public static IReadOnlyDictionary<string, int> NotInPoolByName()
    {
        const string tasks = "/proc/self/task";
        var byName = new Dictionary<string, int>(StringComparer.Ordinal);
        if (!Directory.Exists(tasks))
        {
            return byName;
        }

        // The reading thread is left out below; when it is a pool worker, it is one of the pool's count too.
        int poolWorkers = ThreadPool.ThreadCount - (Thread.CurrentThread.IsThreadPoolThread ? 1 : 0);
        string? current = CurrentThreadId();
        foreach (var task in Directory.EnumerateDirectories(tasks))
        {
            // The thread reading is never a leftover: after an await it may be any thread, such as the last
            // LongRunning task's, which the awaiting test's continuation runs on until the test is done.
            if (Path.GetFileName(task) == current)
            {
                continue;
            }

            string name;
            try
            {
                name = File.ReadAllText(Path.Combine(task, "comm")).TrimEnd('\n');
            }
            catch (IOException)
            {
                continue; // the thread ended while we looked
            }
            catch (UnauthorizedAccessException)
            {
                continue;
            }

            byName[name] = byName.GetValueOrDefault(name) + 1;
        }

        if (byName.Remove(PoolWorkerName, out int named) && named > poolWorkers)
        {
            byName[StartedFromPoolName] = named - poolWorkers;
        }

        return byName;
    }

    /// <summary>The kernel's id of the calling thread (<c>/proc/thread-self</c> links to <c>PID/task/TID</c>).</summary>
    private static string? CurrentThreadId()
    {
        try
        {
            return new DirectoryInfo("/proc/thread-self").LinkTarget is { } target ? Path.GetFileName(target) : null;
        }
        catch (IOException)
        {
            return null;
        }
    }
}
