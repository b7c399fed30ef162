using System.Globalization;
using System.Reflection;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using k8s;
using k8s.Models;
using YamlDotNet.RepresentationModel;

namespace LeakOperator.TestSupport;

/// <summary>
/// Reads Kubernetes YAML (a rendered chart, config/ manifests) into the client's typed models, as the full
/// KubernetesClient's <c>KubernetesYaml.LoadAllFromString</c> does; its AOT build, which the operator ships on, keeps
/// that class internal. Each document becomes JSON by YAML 1.2's core schema (plain scalars typed, quoted ones strings)
/// and is typed by its apiVersion and kind; a kind the client has no model for stays a <see cref="JsonObject"/>.
/// </summary>
public static partial class ManifestYaml
{
    private static readonly Dictionary<(string ApiVersion, string Kind), Type> s_models = typeof(V1Pod).Assembly.GetTypes()
        .Select(t => (Type: t, Entity: t.GetCustomAttribute<KubernetesEntityAttribute>()))
        .Where(m => m.Entity is not null && !m.Type.Name.EndsWith("List", StringComparison.Ordinal))
        .GroupBy(m => (string.IsNullOrEmpty(m.Entity!.Group) ? m.Entity.ApiVersion : $"{m.Entity.Group}/{m.Entity.ApiVersion}", m.Entity.Kind))
        .ToDictionary(g => g.Key, g => g.First().Type);

    private static readonly MethodInfo s_deserialize = typeof(KubernetesJson).GetMethods()
        .Single(m => m.Name == nameof(KubernetesJson.Deserialize) && m.GetParameters()[0].ParameterType == typeof(JsonNode));

    public static IReadOnlyList<object> LoadAll(string yaml)
    {
        var stream = new YamlStream();
        stream.Load(new StringReader(yaml));
        return [.. stream.Documents.Select(d => ToJson(d.RootNode)).OfType<JsonObject>().Select(Typed)];
    }

    public static T Load<T>(string yaml) => LoadAll(yaml).OfType<T>().Single();

    private static object Typed(JsonObject obj) =>
        s_models.TryGetValue(((string?)obj["apiVersion"] ?? "", (string?)obj["kind"] ?? ""), out var type)
            ? s_deserialize.MakeGenericMethod(type).Invoke(null, [obj, null])!
            : obj;

    private static JsonNode? ToJson(YamlNode node) => node switch
    {
        YamlMappingNode map => new JsonObject(map.Children.Select(c => KeyValuePair.Create(((YamlScalarNode)c.Key).Value ?? "", ToJson(c.Value)))),
        YamlSequenceNode sequence => new JsonArray([.. sequence.Children.Select(ToJson)]),
        YamlScalarNode scalar when scalar.Style is YamlDotNet.Core.ScalarStyle.Plain => Plain(scalar.Value ?? ""),
        YamlScalarNode scalar => JsonValue.Create(scalar.Value),
        _ => throw new NotSupportedException($"YAML node {node.NodeType}"),
    };

    /// <summary>A plain scalar as YAML 1.2's core schema reads it.</summary>
    private static JsonValue? Plain(string value) => value switch
    {
        "" or "~" or "null" or "Null" or "NULL" => null,
        "true" or "True" or "TRUE" => JsonValue.Create(true),
        "false" or "False" or "FALSE" => JsonValue.Create(false),
        _ when IntegerPattern().IsMatch(value) => JsonValue.Create(long.Parse(value, CultureInfo.InvariantCulture)),
        _ when FloatPattern().IsMatch(value) => JsonValue.Create(double.Parse(value, CultureInfo.InvariantCulture)),
        _ => JsonValue.Create(value),
    };

    [GeneratedRegex(@"^[-+]?[0-9]+$")]
    private static partial Regex IntegerPattern();

    [GeneratedRegex(@"^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$")]
    private static partial Regex FloatPattern();
}
