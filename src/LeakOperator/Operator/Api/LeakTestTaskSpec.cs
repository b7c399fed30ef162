using System.Text.Json.Serialization;

namespace LeakOperator.Operator.Api;

/// <summary>The task leak's own settings.</summary>
public sealed class LeakTestTaskSpec
{
    /// <summary>unstopped (default), lost-stop, early-return, double-stop, tick-after-stop or cancel-without-dispose.</summary>
    [JsonPropertyName("pattern")]
    public string? Pattern { get; set; }
}
