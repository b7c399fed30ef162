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
    public static LabOptions Defaults { get; } = new(LeakNames.Types.Values, TimeSpan.FromSeconds(30), null, null, 0, TimeSpan.FromSeconds(1));

    /// <summary>A sample within half an interval of the end is the last: one more tick would overrun the duration.</summary>
    public bool IsLastSample(TimeSpan elapsed) => elapsed + (SampleInterval / 2) >= Duration;
}
