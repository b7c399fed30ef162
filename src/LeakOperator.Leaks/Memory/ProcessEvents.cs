namespace LeakOperator.Leaks.Memory;

/// <summary>
/// A process-wide event, the classic .NET memory leak root: a static event holds a strong reference to every
/// subscriber's target until it unsubscribes, so anything a forgotten subscriber holds survives every GC.
/// </summary>
internal static class ProcessEvents
{
    public static event EventHandler? SettingsChanged;

    /// <summary>Subscribers currently attached (for tests and readings).</summary>
    public static int SubscriberCount => SettingsChanged?.GetInvocationList().Length ?? 0;

    public static void RaiseSettingsChanged() => SettingsChanged?.Invoke(null, EventArgs.Empty);
}
