using k8s;
using k8s.Models;
using LeakOperator.Controller.Resources;
using LeakOperator.Controller.Watching;

namespace LeakOperator.Controller.Tests;

public sealed class ObjectCacheTests
{
    [Fact]
    public void Objects_are_cached_without_their_managed_fields()
    {
        var cache = new ObjectCache<Thing>();

        cache.Upsert(Named("a"));
        cache.ReplaceAll([Named("b")]);
        cache.Upsert(Named("c"));

        Assert.Equal(2, cache.Count);
        foreach (var key in cache.Keys)
        {
            Assert.True(cache.TryGet(key, out var cached));
            Assert.Null(cached!.Metadata.ManagedFields);
        }
    }

    private static Thing Named(string name) => new()
    {
        Metadata = new V1ObjectMeta
        {
            Name = name,
            NamespaceProperty = "ns",
            ManagedFields = [new V1ManagedFieldsEntry { Manager = "kubectl-create", Operation = "Update" }],
        },
    };

    private sealed class Thing : IKubernetesObject<V1ObjectMeta>
    {
        public string ApiVersion { get; set; } = "example.dev/v1";

        public string Kind { get; set; } = "Thing";

        public V1ObjectMeta Metadata { get; set; } = new();
    }
}
