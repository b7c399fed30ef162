using LeakOperator.Leaks.Tasks.Patterns;

namespace LeakOperator.Leaks.Tests;

/// <summary>One table per enum: names written, parsed and listed from it, and a table that misses a value refused.</summary>
public sealed class WireNamesTests
{
    private enum Colour
    {
        Red,
        Green,
        Blue,
    }

    [Fact]
    public void Every_shipped_table_round_trips_each_value_and_lists_them_in_order()
    {
        Assert.All(LeakNames.Types.Values, t => Assert.Equal(t, RoundTrip(LeakNames.Types, t)));
        Assert.All(LeakNames.Modes.Values, m => Assert.Equal(m, RoundTrip(LeakNames.Modes, m)));
        Assert.All(TaskPatternNames.Names.Values, p => Assert.Equal(p, RoundTrip(TaskPatternNames.Names, p)));
        Assert.Equal("memory, task, http-conn", LeakNames.Types.OneOf);
        Assert.Equal(LeakNames.Types.Values, LeakNames.Types.Entries.Select(e => e.Value));
        Assert.False(LeakNames.Types.TryParse("Memory", out _));
        Assert.False(LeakNames.Types.TryParse(null, out _));
    }

    [Fact]
    public void A_table_that_leaves_a_value_unnamed_or_names_twice_is_refused_where_it_is_built()
    {
        var unnamed = Assert.Throws<ArgumentException>(() => new WireNames<Colour>((Colour.Red, "red"), (Colour.Green, "green")));
        Assert.Contains("Blue unnamed", unnamed.Message, StringComparison.Ordinal);
        var nameTwice = Assert.Throws<ArgumentException>(() => new WireNames<Colour>((Colour.Red, "red"), (Colour.Green, "red"), (Colour.Blue, "blue")));
        Assert.Contains("'red' twice", nameTwice.Message, StringComparison.Ordinal);
        var valueTwice = Assert.Throws<ArgumentException>(
            () => new WireNames<Colour>((Colour.Red, "red"), (Colour.Red, "rouge"), (Colour.Green, "green"), (Colour.Blue, "blue")));
        Assert.Contains("Red twice", valueTwice.Message, StringComparison.Ordinal);
        Assert.Equal("red, green, blue", new WireNames<Colour>((Colour.Red, "red"), (Colour.Green, "green"), (Colour.Blue, "blue")).OneOf);
    }

    private static T RoundTrip<T>(WireNames<T> names, T value)
        where T : struct, Enum => names.TryParse(names.Of(value), out var parsed) ? parsed.Value : throw new InvalidOperationException($"{value}");
}
