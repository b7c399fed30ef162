using System.Text.RegularExpressions;
using LeakOperator.TestSupport;

namespace LeakOperator.IntegrationTests;

/// <summary>
/// The leak alerts: one source (the chart's template), two forms (the PrometheusRule and deploy/prometheus's rule
/// file), and promtool's unit tests of every rule.
/// </summary>
public sealed partial class AlertRuleTests
{
    private const string Promtool = "/usr/bin/promtool";
    private static readonly string s_rules = Repository.PathOf("deploy", "prometheus", "leak-alerts.rules.yaml");
    private static readonly string s_tests = Repository.PathOf("deploy", "prometheus", "leak-alerts.test.yaml");

    [Fact]
    public async Task Promtool_checks_the_rules_and_every_unit_test_passes()
    {
        var (checkCode, checkOutput, checkError) = await Tools.RunAsync(Promtool, ["check", "rules", s_rules]);
        Assert.True(checkCode == 0, $"promtool check rules: {checkOutput}{checkError}");

        var (code, output, error) = await Tools.RunAsync(Promtool, ["test", "rules", s_tests]);
        Assert.True(code == 0, $"promtool test rules: {output}{error}");
        Assert.Contains("SUCCESS", output + error, StringComparison.Ordinal);
    }

    /// <summary>Each alert has a case where it fires (a leaky series) and one before its window filled where nothing does;
    /// the firing cases list only the leaky series' alerts, so the flat and 0 → 1 series are proven silent.</summary>
    [Fact]
    public async Task Every_alert_has_a_firing_case_and_a_silent_case()
    {
        var alerts = AlertName().Matches(await File.ReadAllTextAsync(s_rules)).Select(m => m.Groups[1].Value).ToList();
        string tests = await File.ReadAllTextAsync(s_tests);
        Assert.True(alerts.Count >= 10, $"{alerts.Count} alerts");
        foreach (var alert in alerts)
        {
            var cases = Regex.Matches(tests, $@"alertname: {alert}\n        exp_alerts:( \[\])?").Select(m => m.Groups[1].Success).ToList();
            Assert.True(cases.Contains(true) && cases.Contains(false), $"{alert}: needs a case where it fires and one where it stays silent");
        }
    }

    [Fact]
    public async Task The_plain_rule_file_is_the_chart_rendered_with_its_defaults()
    {
        string rendered = Path.Combine(Directory.CreateTempSubdirectory("alerts-").FullName, "rules.yaml");
        var (code, output, error) = await Tools.RunAsync("bash", [Repository.PathOf("scripts", "alert-rules.sh"), rendered]);
        Assert.True(code == 0, $"scripts/alert-rules.sh: {output}{error}");
        Assert.True(
            await File.ReadAllTextAsync(rendered) == await File.ReadAllTextAsync(s_rules),
            "deploy/prometheus/leak-alerts.rules.yaml is out of date: run scripts/alert-rules.sh");
    }

    [Theory]
    [InlineData(3)]
    [InlineData(4)]
    public async Task The_chart_ships_the_rules_as_a_PrometheusRule_only_when_asked(int helm)
    {
        string chart = Repository.PathOf("charts", "leak-operator");
        var (_, byDefault, _) = await Tools.RunAsync(await Tools.HelmAsync(helm), ["template", "lo", chart]);
        Assert.DoesNotContain("kind: PrometheusRule", byDefault, StringComparison.Ordinal);

        var (code, enabled, error) = await Tools.RunAsync(
            await Tools.HelmAsync(helm),
            ["template", "lo", chart, "--set", "alerts.enabled=true", "--set", "alerts.labels.release=kube-prometheus-stack", "--set", "alerts.window=1h"]);
        Assert.True(code == 0, error);
        Assert.Contains("kind: PrometheusRule", enabled, StringComparison.Ordinal);
        Assert.Contains("release: kube-prometheus-stack", enabled, StringComparison.Ordinal);
        Assert.Contains("delta(leakoperator_leaked_units[1h]) > 10", enabled, StringComparison.Ordinal);

        var (refused, _, why) = await Tools.RunAsync(await Tools.HelmAsync(helm), ["template", "lo", chart, "--set", "alerts.window=soon"]);
        Assert.True(refused != 0 && why.Contains("window", StringComparison.Ordinal), $"a bad window must be refused by the schema: {why}");
    }

    [GeneratedRegex(@"- alert: (\w+)")]
    private static partial Regex AlertName();
}
