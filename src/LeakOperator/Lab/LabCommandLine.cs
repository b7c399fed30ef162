using System.CommandLine;
using LeakOperator.CommandLine;
using LeakOperator.Leaks;
using LeakOperator.Leaks.Tasks.Patterns;

namespace LeakOperator.Lab;

/// <summary>The `lab` command's options, declared once: parser, defaults, messages and help.</summary>
internal sealed class LabCommandLine
{
    private const string AllLeaks = "all";

    private static readonly Dictionary<string, IReadOnlyList<LeakType>> s_leakSets = new(
        LeakNames.Types.Entries.Select(e => KeyValuePair.Create(e.Key, (IReadOnlyList<LeakType>)[e.Value]))
            .Append(KeyValuePair.Create(AllLeaks, LabOptions.Defaults.Leaks)),
        StringComparer.Ordinal);

    private static readonly Dictionary<string, TaskPattern?> s_patterns = new(
        TaskPatternNames.Names.Entries.Select(e => KeyValuePair.Create(e.Key, (TaskPattern?)e.Value)),
        StringComparer.Ordinal);

    private readonly Option<IReadOnlyList<LeakType>> _leak = OptionKinds.OneOf("--leak", "which leak types", s_leakSets, AllLeaks);
    private readonly Option<TaskPattern?> _scenario = OptionKinds.OneOf(
        "--scenario",
        "race one of the write-up's ticker failures instead: the naive code against SafeTicker " +
        "(reconcile-storm: a ticker per reconcile re-enqueueing its object; " +
        "reconcile-storm-direct: one whose loop calls the reconcile itself)",
        s_patterns,
        "none",
        "PATTERN");

    private readonly Option<int> _duration = OptionKinds.WholeNumber("--duration", "how long to inject, seconds", (int)LabOptions.Defaults.Duration.TotalSeconds, 5, 3600);
    private readonly Option<string?> _json = OptionKinds.ReportPath("--json", "write a machine-readable report");
    private readonly Option<string?> _html = OptionKinds.ReportPath("--html", "write a self-contained HTML report with charts");
    private readonly Option<int> _port = OptionKinds.WholeNumber("--port", "serve /metrics on 127.0.0.1:N during the run (0: a free port, printed)", LabOptions.Defaults.Port, 0, 65535);
    private readonly Option<int> _sampleInterval = OptionKinds.WholeNumber(
        "--sample-interval-ms",
        "how often to sample, after a forced GC",
        (int)LabOptions.Defaults.SampleInterval.TotalMilliseconds,
        100,
        10_000);

    public LabCommandLine()
    {
        Command = new Command("lab", "Race each leak in leaky and safe mode side by side, in this process (no cluster needed), and compare them.")
        {
            _leak, _scenario, _duration, _json, _html, _port, _sampleInterval,
        };
        Command.Validators.Add(result =>
        {
            if (result.GetResult(_scenario) is { Implicit: false } && result.GetResult(_leak) is { Implicit: false } leak
                && result.GetValue(_leak) is not [LeakType.Task])
            {
                result.AddError($"--scenario races task leaks; it cannot be combined with --leak {leak.Tokens.Single().Value}");
            }
        });
        Command.SetAction((parse, cancellationToken) => LabCommand.RunAsync(Bind(parse), cancellationToken));
    }

    public Command Command { get; }

    public LabOptions Bind(ParseResult parse)
    {
        var scenario = parse.GetValue(_scenario);
        return new LabOptions(
            scenario is null ? parse.GetValue(_leak) ?? LabOptions.Defaults.Leaks : [LeakType.Task],
            TimeSpan.FromSeconds(parse.Value(_duration)),
            parse.Value(_json),
            parse.Value(_html),
            parse.Value(_port),
            TimeSpan.FromMilliseconds(parse.Value(_sampleInterval)),
            scenario);
    }
}
