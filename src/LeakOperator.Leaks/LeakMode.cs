namespace LeakOperator.Leaks;

/// <summary>Leaky does the work the way that leaks; Safe does the same work the fixed way.</summary>
public enum LeakMode
{
    Leaky,
    Safe,
}
