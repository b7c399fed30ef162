using k8s.Models;
using LeakOperator.Controller.Watching;

namespace LeakOperator.Controller.Tests;

public sealed class ReconcileTriggerTests
{
    private const string Own = "example.dev/release";

    private readonly ReconcileTrigger _trigger = new(Own);

    [Fact]
    public void A_new_object_fires() => Assert.True(_trigger.Fires(null, Object()));

    [Fact]
    public void The_controllers_own_status_write_does_not_fire()
    {
        var before = Object();
        var after = Object(resourceVersion: "2");
        after.Status = "observed";

        Assert.False(_trigger.Fires(before, after));
    }

    [Fact]
    public void The_arrival_of_the_controllers_own_finalizer_does_not_fire() =>
        Assert.False(_trigger.Fires(Object(), Object(finalizers: [Own])));

    [Theory]
    [InlineData("spec")]
    [InlineData("deletion")]
    [InlineData("annotation")]
    [InlineData("own finalizer removed")]
    [InlineData("other finalizer added")]
    [InlineData("other finalizer added with own")]
    public void A_change_the_reconcile_acts_on_fires(string change)
    {
        var (before, after) = change switch
        {
            "spec" => (Object(), Object(generation: 2)),
            "deletion" => (Object(finalizers: [Own]), Object(finalizers: [Own], deleting: true)),
            "annotation" => (Object(), Object(annotations: new Dictionary<string, string> { ["example.dev/force-release"] = "true" })),
            "own finalizer removed" => (Object(finalizers: [Own]), Object()),
            "other finalizer added" => (Object(finalizers: [Own]), Object(finalizers: [Own, "other.dev/cleanup"])),
            "other finalizer added with own" => (Object(), Object(finalizers: [Own, "other.dev/cleanup"])),
            _ => throw new ArgumentOutOfRangeException(nameof(change)),
        };

        Assert.True(_trigger.Fires(before, after));
    }

    [Fact]
    public void Without_an_own_finalizer_every_finalizer_change_fires() =>
        Assert.True(new ReconcileTrigger(ownFinalizer: null).Fires(Object(), Object(finalizers: [Own])));

    private static Thing Object(long generation = 1, string resourceVersion = "1", List<string>? finalizers = null, bool deleting = false, Dictionary<string, string>? annotations = null) => new()
    {
        Metadata = new V1ObjectMeta
        {
            Name = "a",
            NamespaceProperty = "ns",
            Generation = generation,
            ResourceVersion = resourceVersion,
            Finalizers = finalizers,
            Annotations = annotations,
            DeletionTimestamp = deleting ? new DateTime(2026, 11, 27, 0, 0, 0, DateTimeKind.Utc) : null,
        },
    };

    private sealed class Thing : k8s.IKubernetesObject<V1ObjectMeta>
    {
        public string ApiVersion { get; set; } = "example.dev/v1";

        public string Kind { get; set; } = "Thing";

        public V1ObjectMeta Metadata { get; set; } = new();

        public string? Status { get; set; }
    }
}
