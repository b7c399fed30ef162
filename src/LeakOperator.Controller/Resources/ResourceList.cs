using System.Text.Json.Serialization;
using k8s.Models;

namespace LeakOperator.Controller.Resources;

/// <summary>The body of a list call: items and the resourceVersion to watch from.</summary>
public sealed class ResourceList<T>
{
    [JsonPropertyName("metadata")]
    public V1ListMeta? Metadata { get; set; }

    [JsonPropertyName("items")]
    public List<T> Items { get; set; } = [];
}
