namespace LeakOperator.Leaks;

/// <summary>The names of leak types and modes as users write them (CLI, CRD, metrics labels).</summary>
public static class LeakNames
{
    public static WireNames<LeakType> Types { get; } = new(
        (LeakType.Memory, "memory"),
        (LeakType.Task, "task"),
        (LeakType.HttpConn, "http-conn"));

    public static WireNames<LeakMode> Modes { get; } = new((LeakMode.Leaky, "leaky"), (LeakMode.Safe, "safe"));

    public static string ToWire(this LeakType type) => Types.Of(type);

    public static string ToWire(this LeakMode mode) => Modes.Of(mode);

    /// <summary>The unit a leak type is counted in, for people.</summary>
    public static string UnitName(this LeakType type) => type switch
    {
        LeakType.Memory => "MiB retained",
        LeakType.Task => "live timer loops",
        LeakType.HttpConn => "open connections",
        _ => throw new ArgumentOutOfRangeException(nameof(type), type, null),
    };
}
