namespace LeakOperator.TestSupport;

/// <summary>
/// Keeps this test process's thread pool from starving while it reads child processes' output. On Linux a
/// <see cref="System.Diagnostics.Process"/> whose stdout and stderr are read with <c>BeginOutputReadLine</c> holds a
/// pool thread per stream for the process's whole life (dotnet/runtime#81896: the pipe is read synchronously). With
/// kube-apiserver, etcd, an operator and curl running, that is 8 of the 9 threads a 2-core pool had; the storm test's
/// stall meter then read the pool 854 ms late while an OS thread woke on time, and a bystander probe timed that.
/// Raising the pool's floor lets it start a thread at once instead of adding one every half second.
/// </summary>
public static class ProcessReaderThreads
{
    /// <summary>Enough for every reader these tests run at once, and the work they await besides.</summary>
    public const int MinWorkerThreads = 64;

    private static int s_reserved;

    /// <summary>Raises the pool's minimum (once; a higher minimum set elsewhere stays).</summary>
    public static void Reserve()
    {
        // Exchange: the first caller raises the floor, later ones return at once.
        if (Interlocked.Exchange(ref s_reserved, 1) != 0)
        {
            return;
        }

        ThreadPool.GetMinThreads(out int workers, out int io);
        ThreadPool.SetMinThreads(Math.Max(workers, MinWorkerThreads), io);
    }
}
