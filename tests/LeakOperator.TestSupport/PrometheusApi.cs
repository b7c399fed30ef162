using System.Globalization;
using System.Text.Json;

using Xunit;

namespace LeakOperator.TestSupport;

/// <summary>
/// Queries of Prometheus's HTTP API over any transport: an HttpClient on loopback, or curl inside the real node's
/// namespace. <paramref name="get"/> fetches a path relative to the API root and returns the body.
/// </summary>
public sealed class PrometheusApi(Func<string, Task<string>> get)
{
    /// <summary>Runs an instant query; fails unless it succeeds; returns how many series it gave.</summary>
    public async Task<int> CountAsync(string expr)
    {
        using var body = JsonDocument.Parse(await get($"api/v1/query?query={Uri.EscapeDataString(expr)}"));
        Assert.True(body.RootElement.GetProperty("status").GetString() == "success", $"query failed: {expr}: {body.RootElement}");
        return body.RootElement.GetProperty("data").GetProperty("result").GetArrayLength();
    }

    /// <summary>A range query over the last <paramref name="window"/> at 1 s steps: each series' label <paramref name="label"/> and values.</summary>
    public async Task<List<(string Name, double[] Values)>> RangeAsync(string expr, TimeSpan window, string label = "name")
    {
        var end = DateTimeOffset.UtcNow;
        using var body = JsonDocument.Parse(await get($"api/v1/query_range?query={Uri.EscapeDataString(expr)}&start={(end - window).ToUnixTimeSeconds()}&end={end.ToUnixTimeSeconds()}&step=1"));
        Assert.Equal("success", body.RootElement.GetProperty("status").GetString());
        return [.. body.RootElement.GetProperty("data").GetProperty("result").EnumerateArray().Select(series => (
            series.GetProperty("metric").GetProperty(label).GetString()!,
            series.GetProperty("values").EnumerateArray().Select(v => double.Parse(v[1].GetString()!, CultureInfo.InvariantCulture)).ToArray()))];
    }

    /// <summary>The alerts Prometheus holds right now (pending or firing), each with its labels.</summary>
    public async Task<List<(string State, IReadOnlyDictionary<string, string> Labels)>> AlertsAsync()
    {
        using var body = JsonDocument.Parse(await get("api/v1/alerts"));
        Assert.Equal("success", body.RootElement.GetProperty("status").GetString());
        return [.. body.RootElement.GetProperty("data").GetProperty("alerts").EnumerateArray().Select(alert => (
            alert.GetProperty("state").GetString()!,
            (IReadOnlyDictionary<string, string>)alert.GetProperty("labels").EnumerateObject().ToDictionary(l => l.Name, l => l.Value.GetString()!, StringComparer.Ordinal)))];
    }
}
