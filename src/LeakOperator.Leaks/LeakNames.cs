using System.Diagnostics.CodeAnalysis;

namespace LeakOperator.Leaks;

/// <summary>The names of leak types and modes as users write them (CLI, CRD, metrics labels).</summary>
public static class LeakNames
{
    public static IReadOnlyList<LeakType> AllTypes { get; } = [LeakType.Memory, LeakType.Task, LeakType.HttpConn];

    public static IReadOnlyList<LeakMode> AllModes { get; } = [LeakMode.Leaky, LeakMode.Safe];

    public static string ToWire(this LeakType type) => type switch
    {
        LeakType.Memory => "memory",
        LeakType.Task => "task",
        LeakType.HttpConn => "http-conn",
        _ => throw new ArgumentOutOfRangeException(nameof(type), type, null),
    };

    public static string ToWire(this LeakMode mode) => mode == LeakMode.Leaky ? "leaky" : "safe";

    /// <summary>The unit a leak type is counted in, for people.</summary>
    public static string UnitName(this LeakType type) => type switch
    {
        LeakType.Memory => "MiB retained",
        LeakType.Task => "live timer loops",
        LeakType.HttpConn => "open connections",
        _ => throw new ArgumentOutOfRangeException(nameof(type), type, null),
    };

    public static bool TryParseType(string? text, [NotNullWhen(true)] out LeakType? type)
    {
        type = AllTypes.Cast<LeakType?>().FirstOrDefault(t => string.Equals(t!.Value.ToWire(), text, StringComparison.Ordinal));
        return type is not null;
    }

    public static bool TryParseMode(string? text, [NotNullWhen(true)] out LeakMode? mode)
    {
        mode = AllModes.Cast<LeakMode?>().FirstOrDefault(m => string.Equals(m!.Value.ToWire(), text, StringComparison.Ordinal));
        return mode is not null;
    }
}
