using System.Globalization;
using LeakOperator.Leaks;

namespace LeakOperator.Lab;

/// <summary>What the lab races, for how long, and where it writes its reports.</summary>
internal sealed record LabOptions(
    IReadOnlyList<LeakType> Leaks,
    TimeSpan Duration,
    string? JsonPath,
    string? HtmlPath,
    int Port,
    TimeSpan SampleInterval)
{
    public const string Usage = """
        Usage: LeakOperator lab [options]

        Races each leak in leaky and safe mode side by side, in this process, and compares them.

          --leak memory|task|http-conn|all   which leak types (default: all)
          --duration SECONDS                 how long to inject (default: 30, 5..3600)
          --json PATH                        write a machine-readable report
          --html PATH                        write a self-contained HTML report with charts
          --port N                           serve /metrics on 127.0.0.1:N during the run (default: 9464, 0: any free port)
          --sample-interval-ms N             how often to sample, after a forced GC (default: 1000, 100..10000)
          -h, --help                         show this help
        """;

    public static LabOptions Defaults { get; } = new(LeakNames.AllTypes, TimeSpan.FromSeconds(30), null, null, 9464, TimeSpan.FromSeconds(1));

    /// <summary>Parses the lab's arguments; on failure returns null and a message that says what to fix.</summary>
    public static LabOptions? Parse(IReadOnlyList<string> args, out string? error, out bool helpRequested)
    {
        var options = Defaults;
        error = null;
        helpRequested = false;
        for (int i = 0; i < args.Count; i++)
        {
            string name = args[i];
            if (name is "-h" or "--help")
            {
                helpRequested = true;
                return null;
            }

            if (i + 1 >= args.Count || args[i + 1].StartsWith("--", StringComparison.Ordinal))
            {
                error = name.StartsWith("--", StringComparison.Ordinal) ? $"option {name} needs a value" : $"unexpected argument '{name}'";
                return null;
            }

            string value = args[++i];
            (options, error) = name switch
            {
                "--leak" => ParseLeak(options, value),
                "--duration" => ParseInt(value, 5, 3600) is { } s ? (options with { Duration = TimeSpan.FromSeconds(s) }, null) : (options, Range(name, value, 5, 3600)),
                "--json" => (options with { JsonPath = value }, null),
                "--html" => (options with { HtmlPath = value }, null),
                "--port" => ParseInt(value, 0, 65535) is { } p ? (options with { Port = p }, null) : (options, Range(name, value, 0, 65535)),
                "--sample-interval-ms" => ParseInt(value, 100, 10_000) is { } ms ? (options with { SampleInterval = TimeSpan.FromMilliseconds(ms) }, null) : (options, Range(name, value, 100, 10_000)),
                _ => (options, $"unknown option {name}"),
            };
            if (error is not null)
            {
                return null;
            }
        }

        return options;
    }

    private static (LabOptions, string?) ParseLeak(LabOptions options, string value)
    {
        if (value == "all")
        {
            return (options with { Leaks = LeakNames.AllTypes }, null);
        }

        return LeakNames.TryParseType(value, out var type)
            ? (options with { Leaks = [type.Value] }, null)
            : (options, $"--leak must be one of memory, task, http-conn, all; got '{value}'");
    }

    private static int? ParseInt(string value, int min, int max) =>
        int.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out int parsed) && parsed >= min && parsed <= max ? parsed : null;

    private static string Range(string name, string value, int min, int max) => $"{name} must be a whole number from {min} to {max}; got '{value}'";
}
