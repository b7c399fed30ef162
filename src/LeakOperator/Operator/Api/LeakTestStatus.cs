using System.Text.Json.Serialization;
using k8s.Models;

namespace LeakOperator.Operator.Api;

/// <summary>What the operator observed of a LeakTest's injection.</summary>
public sealed class LeakTestStatus
{
    /// <summary>Pending, Injecting, Holding, Releasing, Completed or Failed.</summary>
    [JsonPropertyName("phase")]
    public string? Phase { get; set; }

    [JsonPropertyName("leakedUnits")]
    public long LeakedUnits { get; set; }

    [JsonPropertyName("injectedUnits")]
    public long InjectedUnits { get; set; }

    [JsonPropertyName("releasedUnits")]
    public long ReleasedUnits { get; set; }

    [JsonPropertyName("unitsPerMinute")]
    public double UnitsPerMinute { get; set; }

    /// <summary>Leaking or Stable, judged from the growth while injecting.</summary>
    [JsonPropertyName("verdict")]
    public string? Verdict { get; set; }

    [JsonPropertyName("startedAt")]
    public DateTime? StartedAt { get; set; }

    [JsonPropertyName("completedAt")]
    public DateTime? CompletedAt { get; set; }

    /// <summary>How the variant leaks or avoids leaking (e.g. unstopped-periodic-timer, lost-stop-naive).</summary>
    [JsonPropertyName("pattern")]
    public string? Pattern { get; set; }

    /// <summary>The leak's own secondary readings: ticks after Stop, double cleanups, ticks still firing.</summary>
    [JsonPropertyName("evidence")]
    public Dictionary<string, double>? Evidence { get; set; }

    [JsonPropertyName("observedGeneration")]
    public long? ObservedGeneration { get; set; }

    [JsonPropertyName("conditions")]
    public IList<V1Condition> Conditions { get; set; } = [];
}
