using k8s;
using k8s.Models;
using LeakOperator.TestSupport;

namespace LeakOperator.IntegrationTests.ControlPlane;

/// <summary>Creates the objects of a YAML manifest from the repository, as `kubectl create -f` would.</summary>
public static class Manifests
{
    public static async Task ApplyAsync(IKubernetes client, string path, string? ns = null)
    {
        foreach (var obj in ManifestYaml.LoadAll(await File.ReadAllTextAsync(path)))
        {
            switch (obj)
            {
                case V1CustomResourceDefinition crd:
                    await client.ApiextensionsV1.CreateCustomResourceDefinitionAsync(crd);
                    break;
                case V1ClusterRole role:
                    await client.RbacAuthorizationV1.CreateClusterRoleAsync(role);
                    break;
                case V1Role role:
                    await client.RbacAuthorizationV1.CreateNamespacedRoleAsync(role, ns ?? "default");
                    break;
                default:
                    throw new NotSupportedException($"{path}: {obj.GetType().Name} is not handled here");
            }
        }
    }
}
