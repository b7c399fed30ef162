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

    /// <summary>The table; every value of <typeparamref name="T"/> must have exactly one name, and no name two values.</summary>
    /// <exception cref="ArgumentException">A value is missing or named twice, or a name is used twice.</exception>
    public WireNames(params (T Value, string Name)[] names)
    {
        // Checked here, where the tables are built (type initializers): a value added to the enum and not named would
        // otherwise surface as an ArgumentOutOfRangeException in whatever first writes it, in a user's run.
        var unnamed = Enum.GetValues<T>().Except(names.Select(n => n.Value)).Select(v => v.ToString());
        var twice = names.GroupBy(n => n.Value).Where(g => g.Count() > 1).Select(g => g.Key.ToString())
            .Concat(names.GroupBy(n => n.Name, StringComparer.Ordinal).Where(g => g.Count() > 1).Select(g => $"'{g.Key}'"));
        var problems = unnamed.Select(v => $"{v} unnamed").Concat(twice.Select(v => $"{v} twice")).ToList();
        if (problems.Count > 0)
        {
            throw new ArgumentException(
                $"{typeof(T).Name} needs one name per value and one value per name: {string.Join(", ", problems)}",
                nameof(names));
        }

        _names = names;
        Values = [.. names.Select(n => n.Value)];
        Entries = [.. names.Select(n => KeyValuePair.Create(n.Name, n.Value))];
        OneOf = string.Join(", ", names.Select(n => n.Name));
    }

    /// <summary>Every value, in the table's order (the order help and errors list them).</summary>
    public IReadOnlyList<T> Values { get; }

    /// <summary>Every name with its value, in the table's order: for a parser that adds names of its own.</summary>
    public IReadOnlyList<KeyValuePair<string, T>> Entries { get; }

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
