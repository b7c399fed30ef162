using System.Reflection;
using System.Text.Json.Serialization;
using k8s;
using k8s.Models;
using LeakOperator.Leaks;
using LeakOperator.Leaks.Injections;
using LeakOperator.Leaks.Tasks.Patterns;
using LeakOperator.Operator.Api;
using LeakOperator.TestSupport;

namespace LeakOperator.Tests;

/// <summary>The CRD YAML and the C# model (and the engine's limits) must not drift apart.</summary>
public sealed class CrdModelTests
{
    private static readonly V1CustomResourceDefinition s_crd = ManifestYaml.Load<V1CustomResourceDefinition>(
        File.ReadAllText(Repository.PathOf("config", "crd", "bases", "leakoperator.dev_leaktests.yaml")));

    private static V1JSONSchemaProps Schema => s_crd.Spec.Versions.Single().Schema.OpenAPIV3Schema;

    [Fact]
    public void Names_match_the_model()
    {
        Assert.Equal($"{LeakTest.Plural}.{LeakTest.Group}", s_crd.Metadata.Name);
        Assert.Equal(LeakTest.Group, s_crd.Spec.Group);
        Assert.Equal(LeakTest.KindName, s_crd.Spec.Names.Kind);
        Assert.Equal(LeakTest.Plural, s_crd.Spec.Names.Plural);
        Assert.Contains("lt", s_crd.Spec.Names.ShortNames);
        Assert.Equal(LeakTest.Version, s_crd.Spec.Versions.Single().Name);
        Assert.NotNull(s_crd.Spec.Versions.Single().Subresources.Status);
    }

    [Theory]
    [InlineData("spec", typeof(LeakTestSpec))]
    [InlineData("status", typeof(LeakTestStatus))]
    [InlineData("spec.task", typeof(LeakTestTaskSpec))]
    public void Every_schema_property_is_in_the_model_and_every_model_property_is_in_the_schema(string section, Type model)
    {
        var schema = section.Split('.').Aggregate(Schema, (props, name) => props.Properties[name]);
        var schemaNames = schema.Properties.Keys.Order(StringComparer.Ordinal);
        var modelNames = model.GetProperties(BindingFlags.Public | BindingFlags.Instance)
            .Select(p => p.GetCustomAttribute<JsonPropertyNameAttribute>()?.Name ?? throw new InvalidOperationException($"{model.Name}.{p.Name} has no JSON name"))
            .Order(StringComparer.Ordinal);

        Assert.Equal(schemaNames, modelNames);
    }

    [Fact]
    public void Enums_match_the_engine_and_the_phases()
    {
        var spec = Schema.Properties["spec"].Properties;
        Assert.Equal(LeakNames.Types.Values.Select(t => t.ToWire()), spec["leakType"].EnumProperty.Select(e => e.ToString()));
        Assert.Equal(LeakNames.Modes.Values.Select(m => m.ToWire()), spec["mode"].EnumProperty.Select(e => e.ToString()));
        Assert.Equal(LeakTestPhases.All, Schema.Properties["status"].Properties["phase"].EnumProperty.Select(e => e.ToString()));
        Assert.Equal(["Leaking", "Stable"], Schema.Properties["status"].Properties["verdict"].EnumProperty.Select(e => e.ToString()).Order(StringComparer.Ordinal));
        Assert.Equal(["leakType"], Schema.Properties["spec"].Required);
        var pattern = spec["task"].Properties["pattern"];
        Assert.Equal(TaskPatternNames.Names.Values.Select(p => p.ToWire()), pattern.EnumProperty.Select(e => e.ToString()));
        Assert.Equal(TaskPattern.Unstopped.ToWire(), pattern.DefaultProperty?.ToString());
    }

    [Fact]
    public void Bounds_match_what_the_engine_accepts()
    {
        var spec = Schema.Properties["spec"].Properties;
        Assert.Equal(InjectionSpec.MaxDuration.TotalSeconds, spec["durationSeconds"].Maximum);
        Assert.Equal(InjectionSpec.MaxUnitsLimit, spec["maxUnits"].Maximum);
        Assert.Equal(0, spec["maxUnits"].Minimum);
        Assert.Equal(InjectionSpec.MaxRatePerSecond, spec["ratePerSecond"].Maximum);
        Assert.Equal(0, spec["ratePerSecond"].Minimum);
        Assert.True(spec["ratePerSecond"].ExclusiveMinimum);
        Assert.Equal(InjectionSpec.MinTickInterval.TotalMilliseconds, spec["tickIntervalMilliseconds"].Minimum);
        Assert.Equal(InjectionSpec.MaxTickInterval.TotalMilliseconds, spec["tickIntervalMilliseconds"].Maximum);
    }

    [Fact]
    public void Printer_columns_show_leak_mode_phase_units_verdict_and_age_and_the_pattern_in_wide_output()
    {
        var columns = s_crd.Spec.Versions.Single().AdditionalPrinterColumns.Select(c => c.Name);
        Assert.Equal(["Leak", "Mode", "Phase", "Units", "Verdict", "Age", "Pattern"], columns);
        Assert.Equal(1, s_crd.Spec.Versions.Single().AdditionalPrinterColumns.Single(c => c.Name == "Pattern").Priority);
    }

    [Fact]
    public void The_chart_ships_the_same_CRD_and_the_same_dashboard_as_config_and_deploy()
    {
        Assert.Equal(
            File.ReadAllText(Repository.PathOf("config", "crd", "bases", "leakoperator.dev_leaktests.yaml")),
            File.ReadAllText(Repository.PathOf("charts", "leak-operator", "crds", "leaktests.yaml")));
        Assert.Equal(
            File.ReadAllText(Repository.PathOf("deploy", "grafana", "leak-operator.json")),
            File.ReadAllText(Repository.PathOf("charts", "leak-operator", "dashboards", "leak-operator.json")));
    }
}
