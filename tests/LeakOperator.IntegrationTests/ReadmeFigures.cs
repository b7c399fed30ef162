using LeakOperator.TestSupport;

namespace LeakOperator.IntegrationTests;

/// <summary>
/// Figures in README and docs are benchmark output: with LEAKOPERATOR_FIGURES set (make figures), a benchmark replaces
/// the block between its markers (<c>&lt;!-- name --&gt;</c> … <c>&lt;!-- /name --&gt;</c>) in each file with its run's table.
/// </summary>
internal static class ReadmeFigures
{
    public static void WriteInto(string name, string table, params string[] files)
    {
        if (Environment.GetEnvironmentVariable("LEAKOPERATOR_FIGURES") is null)
        {
            return;
        }

        string start = $"<!-- {name} -->";
        string end = $"<!-- /{name} -->";
        foreach (var file in files.Length > 0 ? files : [Repository.PathOf("README.md")])
        {
            string text = File.ReadAllText(file);
            int from = text.IndexOf(start, StringComparison.Ordinal);
            int to = text.IndexOf(end, StringComparison.Ordinal);
            Assert.True(from >= 0 && to > from, $"{file} has no {start} block");
            File.WriteAllText(file, string.Concat(text.AsSpan(0, from + start.Length), "\n", table, text.AsSpan(to)));
        }
    }
}
