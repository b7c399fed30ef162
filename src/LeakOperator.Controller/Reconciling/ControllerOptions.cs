namespace LeakOperator.Controller.Reconciling;

/// <summary>How a controller runs.</summary>
/// <param name="Name">Its name in metrics and logs (controller label).</param>
/// <param name="Finalizer">The finalizer it adds to every object and removes after <c>FinalizeAsync</c>.</param>
/// <param name="Workers">Keys reconciled in parallel (never the same key twice at once).</param>
public sealed record ControllerOptions(string Name, string Finalizer, int Workers = 4);
