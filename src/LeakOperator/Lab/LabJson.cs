using System.Text.Json;
using System.Text.Json.Serialization;

namespace LeakOperator.Lab;

/// <summary>The lab report as JSON: camelCase names, verdicts as words.</summary>
internal static class LabJson
{
    public static JsonSerializerOptions Options { get; } = new(JsonSerializerDefaults.Web)
    {
        WriteIndented = true,
        Converters = { new JsonStringEnumConverter() },
    };

    public static async Task WriteAsync(LabReport report, string path)
    {
        await using var stream = File.Create(path);
        await JsonSerializer.SerializeAsync(stream, report, Options).ConfigureAwait(false);
    }
}
