using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;
using k8s;
using LeakOperator.Controller.Resources;

namespace LeakOperator.Operator.Api;

/// <summary>
/// Our Kubernetes types as JSON, generated at build time, for KubernetesClient's serializer: its AOT build types JSON
/// only from its own generated context, which knows the Kubernetes models and not ours. Its options (camelCase, nulls
/// left out, enums as strings) are repeated here so that names come out the same either way.
/// </summary>
/// <remarks>
/// <see cref="JsonElement"/> is here for the client's sake: an object read from the server carries
/// <c>managedFields[].fieldsV1</c> as untyped JSON (an <see cref="object"/> property holding a JsonElement), and the
/// client's context cannot write that back, so a status write of such an object would fail without it.
/// </remarks>
[JsonSourceGenerationOptions(
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    UseStringEnumConverter = true)]
[JsonSerializable(typeof(LeakTest))]
[JsonSerializable(typeof(ResourceList<LeakTest>))]
[JsonSerializable(typeof(LeakTestStatus))]
[JsonSerializable(typeof(JsonElement))]
public sealed partial class LeakTestJson : JsonSerializerContext
{
    private static int s_registered;

    /// <summary>
    /// Adds this context behind the client's own. Call before the client serializes anything (its options freeze on
    /// first use); once per process is enough, later calls do nothing. Only the commands that talk to a cluster call
    /// it: the lab never loads the client's JSON (about 8 MiB of type metadata).
    /// </summary>
    public static void Register()
    {
        // 0 → 1 once: the options may be changed only once, and only by one thread.
        if (Interlocked.Exchange(ref s_registered, 1) == 0)
        {
            KubernetesJson.AddJsonOptions(o => o.TypeInfoResolver = JsonTypeInfoResolver.Combine(o.TypeInfoResolver, Default));
        }
    }
}
