using System.Text.Json;
using System.Text.RegularExpressions;

namespace LeakOperator.TestSupport;

/// <summary>The Grafana dashboard's queries (deploy/grafana/leak-operator.json), with its variables filled in.</summary>
public static partial class DashboardQueries
{
    /// <summary>Every panel's every target, as (panel title, PromQL) for LeakTests in <paramref name="ns"/>.</summary>
    public static IReadOnlyList<(string Panel, string Expr)> Panels(string ns) =>
        [.. Dashboard().GetProperty("panels").EnumerateArray().SelectMany(panel => panel.GetProperty("targets").EnumerateArray()
            .Select(target => (panel.GetProperty("title").GetString()!, Substitute(target.GetProperty("expr").GetString()!, ns))))];

    /// <summary>Every annotation's query, as (name, PromQL): the firing leak alerts.</summary>
    public static IReadOnlyList<(string Name, string Expr)> Annotations() =>
        [.. Dashboard().GetProperty("annotations").GetProperty("list").EnumerateArray()
            .Select(a => (a.GetProperty("name").GetString()!, a.GetProperty("expr").GetString()!))];

    /// <summary>The leak-growth panel (the first): units per LeakTest, one line each.</summary>
    public static string Growth(string ns) => Panels(ns)[0].Expr;

    /// <summary>The selector behind each query variable (label_values(SELECTOR, label)).</summary>
    public static IReadOnlyList<(string Variable, string Selector)> Variables(string ns) =>
        [.. Dashboard().GetProperty("templating").GetProperty("list").EnumerateArray()
            .Where(v => v.GetProperty("type").GetString() == "query")
            .Select(v => (v.GetProperty("name").GetString()!, Substitute(LabelValues().Match(v.GetProperty("definition").GetString()!).Groups[1].Value, ns)))];

    /// <summary>The metric names a query reads (histogram suffixes removed), to check the operator exports each.</summary>
    public static IEnumerable<string> MetricNames(string expr) =>
        MetricName().Matches(expr).Select(m => HistogramPart().Replace(m.Value, "")).Distinct(StringComparer.Ordinal);

    private static string Substitute(string expr, string ns) => expr.Replace("$namespace", ns, StringComparison.Ordinal).Replace("$leaktest", ".*", StringComparison.Ordinal);

    private static JsonElement Dashboard()
    {
        using var document = JsonDocument.Parse(File.ReadAllText(Repository.PathOf("deploy", "grafana", "leak-operator.json")));
        return document.RootElement.Clone();
    }

    [GeneratedRegex(@"\b(leakoperator_[a-z_]+|controller_runtime_[a-z_]+|workqueue_[a-z_]+|process_[a-z_]+)\b")]
    private static partial Regex MetricName();

    [GeneratedRegex("_(bucket|sum|count)$")]
    private static partial Regex HistogramPart();

    [GeneratedRegex(@"label_values\((.*),\s*\w+\)$")]
    private static partial Regex LabelValues();
}
