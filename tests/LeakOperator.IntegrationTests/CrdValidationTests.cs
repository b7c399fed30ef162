using System.Net;
using k8s;
using k8s.Autorest;
using LeakOperator.IntegrationTests.ControlPlane;

namespace LeakOperator.IntegrationTests;

/// <summary>The API server itself rejects bad LeakTests, from the CRD schema, before the operator sees them.</summary>
[Collection(ControlPlaneGroup.Name)]
public sealed class CrdValidationTests(ControlPlaneFixture fixture)
{
    public static TheoryData<string, string, string> BadSpecs() => new()
    {
        { "missing leakType", """{"mode":"leaky"}""", "spec.leakType" },
        { "unknown leakType", """{"leakType":"disk"}""", "spec.leakType" },
        { "unknown mode", """{"leakType":"memory","mode":"sloppy"}""", "spec.mode" },
        { "duration zero", """{"leakType":"memory","durationSeconds":0}""", "spec.durationSeconds" },
        { "duration over a day", """{"leakType":"memory","durationSeconds":86401}""", "spec.durationSeconds" },
        { "duration as text", """{"leakType":"memory","durationSeconds":"soon"}""", "spec.durationSeconds" },
        { "negative rate", """{"leakType":"task","ratePerSecond":-1}""", "spec.ratePerSecond" },
        { "absurd rate", """{"leakType":"task","ratePerSecond":1e9}""", "spec.ratePerSecond" },
        { "negative cap", """{"leakType":"task","maxUnits":-5}""", "spec.maxUnits" },
        { "cap over the bound", """{"leakType":"task","maxUnits":100001}""", "spec.maxUnits" },
        { "tick too fast", """{"leakType":"task","tickIntervalMilliseconds":1}""", "spec.tickIntervalMilliseconds" },
        { "leakType not a string", """{"leakType":3}""", "spec.leakType" },
        { "leakType empty", """{"leakType":""}""", "spec.leakType" },
        { "leakType upper case", """{"leakType":"Memory"}""", "spec.leakType" },
        { "leakType with spaces", """{"leakType":" task"}""", "spec.leakType" },
        { "leakType null", """{"leakType":null}""", "spec.leakType" },
        { "leakType a list", """{"leakType":["task"]}""", "spec.leakType" },
        { "mode upper case", """{"leakType":"task","mode":"Safe"}""", "spec.mode" },
        { "mode a number", """{"leakType":"task","mode":1}""", "spec.mode" },
        { "duration negative", """{"leakType":"task","durationSeconds":-30}""", "spec.durationSeconds" },
        { "duration fractional", """{"leakType":"task","durationSeconds":1.5}""", "spec.durationSeconds" },
        { "duration huge", """{"leakType":"task","durationSeconds":99999999999}""", "spec.durationSeconds" },
        { "rate zero", """{"leakType":"memory","ratePerSecond":0}""", "spec.ratePerSecond" },
        { "rate as text", """{"leakType":"memory","ratePerSecond":"fast"}""", "spec.ratePerSecond" },
        { "rate slightly negative", """{"leakType":"memory","ratePerSecond":-0.5}""", "spec.ratePerSecond" },
        { "cap fractional", """{"leakType":"memory","maxUnits":2.5}""", "spec.maxUnits" },
        { "cap as text", """{"leakType":"memory","maxUnits":"lots"}""", "spec.maxUnits" },
        { "cap absurd", """{"leakType":"memory","maxUnits":1e12}""", "spec.maxUnits" },
        { "tick too slow", """{"leakType":"task","tickIntervalMilliseconds":3600001}""", "spec.tickIntervalMilliseconds" },
        { "tick negative", """{"leakType":"task","tickIntervalMilliseconds":-100}""", "spec.tickIntervalMilliseconds" },
        { "tick as text", """{"leakType":"task","tickIntervalMilliseconds":"1s"}""", "spec.tickIntervalMilliseconds" },
        { "task pattern unknown", """{"leakType":"task","task":{"pattern":"forgot-stop"}}""", "spec.task.pattern" },
        { "task pattern upper case", """{"leakType":"task","task":{"pattern":"Lost-Stop"}}""", "spec.task.pattern" },
        { "task settings a string", """{"leakType":"task","task":"lost-stop"}""", "spec.task" },
        { "spec a string", "\"memory\"", "spec" },
        { "spec a list", """[{"leakType":"memory"}]""", "spec" },
        { "spec missing a leak", """{}""", "spec.leakType" },
    };

    [Theory]
    [MemberData(nameof(BadSpecs))]
    public async Task The_schema_rejects_a_bad_spec_with_the_field_named(string what, string specJson, string field)
    {
        var objects = new LeakTestObjects(fixture.Admin);
        var body = System.Text.Json.JsonDocument.Parse($$"""{"apiVersion":"leakoperator.dev/v1alpha1","kind":"LeakTest","metadata":{"name":"bad"},"spec":{{specJson}}}""").RootElement;

        var error = await Assert.ThrowsAsync<HttpOperationException>(() => objects.CreateRawAsync("default", body));

        Assert.True(error.Response.StatusCode == HttpStatusCode.UnprocessableEntity, $"{what}: expected 422, got {(int)error.Response.StatusCode}");
        Assert.Contains(field, error.Response.Content, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_good_spec_is_accepted_with_defaults_filled_and_unknown_fields_pruned()
    {
        await using var bed = await OperatorTestBed.CreateAsync(fixture, "crd");
        var (ns, objects) = bed;
        var body = System.Text.Json.JsonDocument.Parse(
            """{"apiVersion":"leakoperator.dev/v1alpha1","kind":"LeakTest","metadata":{"name":"good"},"spec":{"leakType":"memory","color":"blue"}}""")
            .RootElement;

        await objects.CreateRawAsync(ns, body);
        var stored = await objects.GetAsync(ns, "good");

        Assert.NotNull(stored);
        Assert.Equal("leaky", stored.Spec.Mode);
        Assert.Equal(300, stored.Spec.DurationSeconds);
        var raw = await fixture.Admin.CustomObjects.GetNamespacedCustomObjectAsync("leakoperator.dev", "v1alpha1", ns, "leaktests", "good");
        Assert.DoesNotContain("color", KubernetesJson.Serialize(raw), StringComparison.Ordinal);
    }
}
