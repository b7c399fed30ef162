using System.Text.Json.Serialization;

namespace LeakOperator.Operator.Api;

/// <summary>What to leak, how, how fast, for how long and up to what cap. The CRD schema bounds every field.</summary>
public sealed class LeakTestSpec
{
    /// <summary>memory, task or http-conn.</summary>
    [JsonPropertyName("leakType")]
    public string LeakType { get; set; } = "";

    /// <summary>leaky (default) or safe.</summary>
    [JsonPropertyName("mode")]
    public string? Mode { get; set; }

    /// <summary>How long to inject, 1..86400 s (default 300). Afterwards leaky holds, safe has released.</summary>
    [JsonPropertyName("durationSeconds")]
    public int? DurationSeconds { get; set; }

    /// <summary>Units per second (default per leak type: memory 4 MiB, task 20 loops, http-conn 2 connections).</summary>
    [JsonPropertyName("ratePerSecond")]
    public double? RatePerSecond { get; set; }

    /// <summary>Never more than this many units held at once (default per leak type).</summary>
    [JsonPropertyName("maxUnits")]
    public long? MaxUnits { get; set; }

    /// <summary>Task leak only: the period of each timer loop (default 1000 ms).</summary>
    [JsonPropertyName("tickIntervalMilliseconds")]
    public int? TickIntervalMilliseconds { get; set; }

    /// <summary>Task leak only: how its tickers go wrong.</summary>
    [JsonPropertyName("task")]
    public LeakTestTaskSpec? Task { get; set; }
}
