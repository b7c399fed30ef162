namespace LeakOperator;

/// <summary>Process exit codes: 2 is for input the user must fix, as in most Unix tools.</summary>
internal static class ExitCodes
{
    public const int Ok = 0;
    public const int Failed = 1;
    public const int BadUsage = 2;

    /// <summary>The lab ran, but after release the process was not back to its baseline (timers, sockets, HTTP client
    /// connections or heap left behind): the run's own leak check failed.</summary>
    public const int NotBackToBaseline = 3;
}
