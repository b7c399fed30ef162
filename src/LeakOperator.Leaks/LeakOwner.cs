namespace LeakOperator.Leaks;

/// <summary>Who an injection belongs to: a LeakTest's namespace and name, or one subject of the lab.</summary>
public readonly record struct LeakOwner(string Namespace, string Name)
{
    public override string ToString() => $"{Namespace}/{Name}";
}
