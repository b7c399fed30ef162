namespace LeakOperator.Operator.Api;

/// <summary>The values of status.phase and of the condition types, as the CRD documents them.</summary>
public static class LeakTestPhases
{
    public const string Pending = "Pending";
    public const string Injecting = "Injecting";
    public const string Holding = "Holding";
    public const string Releasing = "Releasing";
    public const string Completed = "Completed";
    public const string Failed = "Failed";

    public static IReadOnlyList<string> All { get; } = [Pending, Injecting, Holding, Releasing, Completed, Failed];
}
