namespace LeakOperator;

/// <summary>Process exit codes: 2 is for input the user must fix, as in most Unix tools.</summary>
internal static class ExitCodes
{
    public const int Ok = 0;
    public const int Failed = 1;
    public const int BadUsage = 2;
}
