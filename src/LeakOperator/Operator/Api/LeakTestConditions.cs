namespace LeakOperator.Operator.Api;

/// <summary>Condition types on a LeakTest.</summary>
public static class LeakTestConditions
{
    public const string Ready = "Ready";
    public const string Injecting = "Injecting";
    public const string Leaking = "Leaking";
    public const string InvalidSpec = "InvalidSpec";
    public const string Capped = "Capped";
}
