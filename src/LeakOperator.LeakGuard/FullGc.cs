namespace LeakOperator.Diagnostics;

/// <summary>
/// A full, blocking, compacting collection with finalizers run, twice: what survives this is held by a root.
/// Leak readings are taken after it, because an idle process may not collect on its own for minutes.
/// </summary>
public static class FullGc
{
    /// <summary>Collects everything unreachable and runs its finalizers.</summary>
    public static void Collect()
    {
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Forced, blocking: true, compacting: true);
        GC.WaitForPendingFinalizers();
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Forced, blocking: true, compacting: true);
    }

    /// <summary>
    /// After releasing leaked memory: an aggressive collection decommits the freed segments, so the node gets the
    /// memory back now rather than at a GC an idle operator may not run for minutes.
    /// </summary>
    public static void ReturnMemoryToTheSystem() =>
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Aggressive, blocking: true, compacting: true);
}
