using k8s;
using k8s.Models;

namespace LeakOperator.Controller.Resources;

/// <summary>A namespaced object's identity: the work-queue key.</summary>
public readonly record struct ObjectKey(string Namespace, string Name)
{
    public static ObjectKey Of(IKubernetesObject<V1ObjectMeta> obj) => new(obj.Metadata.NamespaceProperty ?? "", obj.Metadata.Name);

    public override string ToString() => $"{Namespace}/{Name}";
}
