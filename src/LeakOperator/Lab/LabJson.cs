using System.Text.Json;
using System.Text.Json.Serialization;

namespace LeakOperator.Lab;

/// <summary>The lab report as JSON: camelCase names, verdicts as words, generated at build time (NativeAOT has no
/// JSON by reflection).</summary>
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web, WriteIndented = true, UseStringEnumConverter = true)]
[JsonSerializable(typeof(LabReport))]
internal sealed partial class LabJson : JsonSerializerContext
{
    public static async Task WriteAsync(LabReport report, string path)
    {
        await using var stream = File.Create(path);
        await JsonSerializer.SerializeAsync(stream, report, Default.LabReport).ConfigureAwait(false);
    }
}
