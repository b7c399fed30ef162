using k8s;

namespace LeakOperator.Controller.Resources;

/// <summary>Small helpers for API objects.</summary>
public static class KubeObjects
{
    /// <summary>A deep copy, so a worker can change an object without touching the shared cache.</summary>
    public static T DeepCopy<T>(T obj) => KubernetesJson.Deserialize<T>(KubernetesJson.Serialize(obj));
}
