using LeakOperator.Leaks.Analysis;
using LeakOperator.Leaks.Readings;

namespace LeakOperator.Lab;

/// <summary>The result of one lab run: what the JSON report holds and the HTML report draws.</summary>
internal sealed record LabReport(
    DateTimeOffset StartedAt,
    double DurationSeconds,
    string Runtime,
    int Processors,
    RuntimeReadings Baseline,
    RuntimeReadings End,
    RuntimeReadings AfterRelease,
    BaselineCheck AfterReleaseCheck,
    IReadOnlyList<LabSubjectResult> Subjects,
    IReadOnlyList<LabTimelinePoint> Timeline)
{
    /// <summary>What was raced, for titles: the leak types ("memory, task, http-conn") or the scenario.</summary>
    public string Subject { get; init; } = "";

    /// <summary>The signal (SIGINT, SIGTERM) that ended the injection before its duration; null when it ran in full.</summary>
    public string? StoppedBy { get; init; }
}

/// <summary>One leak type in one mode, from start to end of the run.</summary>
internal sealed record LabSubjectResult(
    string LeakType,
    string Mode,
    string Pattern,
    string Unit,
    double RatePerSecond,
    long MaxUnits,
    double StartUnits,
    double EndUnits,
    double UnitsPerMinute,
    Verdict Verdict,
    long InjectedUnits,
    long ReleasedUnits,
    long UnitsHeldAfterRelease,
    string? CapReason,
    IReadOnlyDictionary<string, double> Evidence,
    RuntimeReadings Runtime,
    IReadOnlyList<UnitSample> Samples);

/// <summary>The process-wide readings at one sample.</summary>
internal sealed record LabTimelinePoint(double Seconds, RuntimeReadings Readings);
