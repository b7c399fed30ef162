namespace LeakOperator.Leaks;

/// <summary>Who an injection belongs to: a LeakTest's namespace and name, or a lab scenario.</summary>
public readonly record struct LeakOwner(string Namespace, string Name)
{
    public override string ToString() => $"{Namespace}/{Name}";
}
