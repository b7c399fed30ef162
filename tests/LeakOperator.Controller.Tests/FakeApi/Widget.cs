using System.Runtime.CompilerServices;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;
using k8s;
using k8s.Models;
using LeakOperator.Controller.Resources;

namespace LeakOperator.Controller.Tests.FakeApi;

/// <summary>The smallest custom resource a controller can run over: metadata, a spec, a status.</summary>
internal sealed class Widget : IKubernetesObject<V1ObjectMeta>
{
    public static ResourceDefinition Definition { get; } = new("example.dev", "v1", "widgets", "Widget");

    public string ApiVersion { get; set; } = Definition.ApiVersion;

    public string Kind { get; set; } = Definition.Kind;

    public V1ObjectMeta Metadata { get; set; } = new();

    public WidgetSpec Spec { get; set; } = new();

    public WidgetStatus? Status { get; set; }

    public static Widget Named(string name, int size = 1) => new()
    {
        Metadata = new V1ObjectMeta { Name = name, NamespaceProperty = "default" },
        Spec = new WidgetSpec { Size = size },
    };
}

internal sealed class WidgetSpec
{
    public int Size { get; set; }
}

internal sealed class WidgetStatus
{
    public long? ObservedGeneration { get; set; }
}

/// <summary>
/// Widget as JSON for KubernetesClient's serializer, generated at build time as the operator's LeakTestJson is (the
/// client's AOT build knows only its own models), with the client's options so names come out the same.
/// </summary>
[JsonSourceGenerationOptions(
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    UseStringEnumConverter = true)]
[JsonSerializable(typeof(Widget))]
[JsonSerializable(typeof(ResourceList<Widget>))]
internal sealed partial class WidgetJson : JsonSerializerContext
{
#pragma warning disable CA2255 // A test assembly is where this belongs: it is nobody's library.
    /// <summary>Before anything serializes: the client's options freeze on first use.</summary>
    [ModuleInitializer]
    internal static void Register() =>
        KubernetesJson.AddJsonOptions(o => o.TypeInfoResolver = JsonTypeInfoResolver.Combine(o.TypeInfoResolver, Default));
#pragma warning restore CA2255
}
