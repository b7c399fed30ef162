using System.Diagnostics.CodeAnalysis;

namespace LeakOperator.Leaks;

/// <summary>
/// The names an enum's values have where users write them (CLI, CRD, metrics labels): one table, so writing a name,
/// parsing it and the "one of …" list in an error message cannot disagree.
/// </summary>
public sealed class WireNames<T>
    where T : struct, Enum
{
    private readonly (T Value, string Name)[] _names;

    public WireNames(params (T Value, string Name)[] names)
    {
        _names = names;
        Values = [.. names.Select(n => n.Value)];
        OneOf = string.Join(", ", names.Select(n => n.Name));
    }

    /// <summary>Every value, in the table's order (the order help and errors list them).</summary>
    public IReadOnlyList<T> Values { get; }

    /// <summary>Every name, comma-separated, for "is not one of …".</summary>
    public string OneOf { get; }

    public string Of(T value)
    {
        foreach (var (v, name) in _names)
        {
            if (EqualityComparer<T>.Default.Equals(v, value))
            {
                return name;
            }
        }

        throw new ArgumentOutOfRangeException(nameof(value), value, null);
    }

    public bool TryParse(string? text, [NotNullWhen(true)] out T? value)
    {
        foreach (var (v, name) in _names)
        {
            if (string.Equals(name, text, StringComparison.Ordinal))
            {
                value = v;
                return true;
            }
        }

        value = null;
        return false;
    }
}
