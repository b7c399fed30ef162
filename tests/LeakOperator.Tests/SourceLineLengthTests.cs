using LeakOperator.TestSupport;

namespace LeakOperator.Tests;

/// <summary>
/// No C# line in the repository runs past the hard stop: <c>.editorconfig</c>'s <c>max_line_length = 120</c> is the
/// guide editors wrap at, but no analyzer enforces it, so this does, at the line where reading stops being possible
/// on a laptop screen without scrolling.
/// </summary>
public sealed class SourceLineLengthTests
{
    private const int HardStop = 200;

    [Fact]
    public void No_source_line_is_longer_than_the_hard_stop()
    {
        var longLines = new[] { "src", "tests", "benchmarks" }
            .SelectMany(dir => Directory.EnumerateFiles(Repository.PathOf(dir), "*.cs", SearchOption.AllDirectories))
            .Where(path => !path.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal)
                && !path.Contains($"{Path.DirectorySeparatorChar}bin{Path.DirectorySeparatorChar}", StringComparison.Ordinal))
            .SelectMany(path => File.ReadLines(path).Select((line, i) => (Path.GetRelativePath(Repository.Root, path), Number: i + 1, line.Length)))
            .Where(l => l.Length > HardStop)
            .Select(l => $"{l.Item1}:{l.Number} ({l.Length} characters)")
            .ToList();

        Assert.True(longLines.Count == 0, $"{longLines.Count} lines over {HardStop} characters; wrap them:\n{string.Join('\n', longLines)}");
    }
}
