using System.Text.Json.Serialization;
using k8s;
using k8s.Models;
using LeakOperator.Controller.Resources;

namespace LeakOperator.Operator.Api;

/// <summary>A LeakTest (leakoperator.dev/v1alpha1): one leak to inject, watch grow, and release.</summary>
public sealed class LeakTest : IKubernetesObject<V1ObjectMeta>, ISpec<LeakTestSpec>, IStatus<LeakTestStatus?>
{
    public const string Group = "leakoperator.dev";
    public const string Version = "v1alpha1";
    public const string KindName = "LeakTest";
    public const string Plural = "leaktests";
    public const string Finalizer = "leakoperator.dev/release";

    /// <summary>Set to "true" to make the operator release everything the test holds now and inject nothing more.</summary>
    public const string ForceReleaseAnnotation = "leakoperator.dev/force-release";

    /// <summary>Whether <see cref="ForceReleaseAnnotation"/> asks for everything to be released.</summary>
    [JsonIgnore]
    public bool ForceReleaseRequested => Metadata.Annotations?.TryGetValue(ForceReleaseAnnotation, out var value) == true && value == "true";

    public static ResourceDefinition Definition { get; } = new(Group, Version, Plural, KindName);

    [JsonPropertyName("apiVersion")]
    public string ApiVersion { get; set; } = $"{Group}/{Version}";

    [JsonPropertyName("kind")]
    public string Kind { get; set; } = KindName;

    [JsonPropertyName("metadata")]
    public V1ObjectMeta Metadata { get; set; } = new();

    [JsonPropertyName("spec")]
    public LeakTestSpec Spec { get; set; } = new();

    [JsonPropertyName("status")]
    public LeakTestStatus? Status { get; set; }
}
