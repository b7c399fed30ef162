namespace LeakOperator.Leaks;

/// <summary>What is leaked. The wire names (memory, task, http-conn) are the ones users type.</summary>
public enum LeakType
{
    Memory,
    Task,
    HttpConn,
}
