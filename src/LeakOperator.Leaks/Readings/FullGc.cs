namespace LeakOperator.Leaks.Readings;

/// <summary>
/// A full, blocking, compacting collection with finalizers run, twice: what survives this is held by a root.
/// Leak readings are taken after it, because an idle process may not collect on its own for minutes.
/// </summary>
public static class FullGc
{
    public static void Collect()
    {
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Forced, blocking: true, compacting: true);
        GC.WaitForPendingFinalizers();
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Forced, blocking: true, compacting: true);
    }
}
