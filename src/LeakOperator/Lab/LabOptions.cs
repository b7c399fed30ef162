using LeakOperator.CommandLine;
using LeakOperator.Leaks;
using LeakOperator.Leaks.Tasks.Patterns;

namespace LeakOperator.Lab;

/// <summary>What the lab races, for how long, and where it writes its reports.</summary>
internal sealed record LabOptions(
    IReadOnlyList<LeakType> Leaks,
    TimeSpan Duration,
    string? JsonPath,
    string? HtmlPath,
    int Port,
    TimeSpan SampleInterval,
    TaskPattern? Scenario = null)
{
    public const string Usage = """
        Usage: LeakOperator lab [options]

        Races each leak in leaky and safe mode side by side, in this process, and compares them.

          --leak memory|task|http-conn|all   which leak types (default: all)
          --scenario PATTERN                 race one of the write-up's ticker failures instead: the naive code
                                             against SafeTicker. PATTERN: lost-stop, early-return, double-stop,
                                             tick-after-stop, cancel-without-dispose, reconcile-storm (a ticker
                                             per reconcile re-enqueueing its object), or unstopped
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
        var reader = OptionReader.Read(args, ["--leak", "--scenario", "--duration", "--json", "--html", "--port", "--sample-interval-ms"]);
        var leaks = Defaults.Leaks;
        if (reader.Text("--leak") is { } leak && leak != "all")
        {
            if (LeakNames.TryParseType(leak, out var type))
            {
                leaks = [type.Value];
            }
            else
            {
                reader.Fail($"--leak must be one of memory, task, http-conn, all; got '{leak}'");
            }
        }

        TaskPattern? scenario = null;
        if (reader.Text("--scenario") is { } name)
        {
            if (!TaskPatternNames.TryParse(name, out scenario))
            {
                reader.Fail($"--scenario must be one of {string.Join(", ", TaskPatternNames.All.Select(p => p.ToWire()))}; got '{name}'");
            }
            else if (reader.Text("--leak") is { } other && other != LeakType.Task.ToWire())
            {
                reader.Fail($"--scenario races task leaks; it cannot be combined with --leak {other}");
            }

            leaks = [LeakType.Task];
        }

        var options = new LabOptions(
            leaks,
            TimeSpan.FromSeconds(reader.Int("--duration", (int)Defaults.Duration.TotalSeconds, 5, 3600)),
            reader.Text("--json"),
            reader.Text("--html"),
            reader.Int("--port", Defaults.Port, 0, 65535),
            TimeSpan.FromMilliseconds(reader.Int("--sample-interval-ms", (int)Defaults.SampleInterval.TotalMilliseconds, 100, 10_000)),
            scenario);
        error = reader.Error;
        helpRequested = reader.HelpRequested;
        return error is null && !helpRequested ? options : null;
    }
}
