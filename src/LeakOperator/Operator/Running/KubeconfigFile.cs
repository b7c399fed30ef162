using k8s;
using k8s.Exceptions;
using k8s.KubeConfigModels;

namespace LeakOperator.Operator.Running;

/// <summary>
/// Reads a kubeconfig file with KubernetesClient's own loader, which in its AOT build reads only the kubeconfig model
/// with source-generated YAML code (no reflection, no walk over every Kubernetes type: the reason we once kept a reader
/// of our own). What is ours is what that loader gets wrong: a missing file and an empty one are errors that say so,
/// where it would throw a NullReferenceException on the empty file.
/// </summary>
internal static class KubeconfigFile
{
    /// <summary>As KubernetesClient's BuildConfigFromConfigFile: ~/.kube/config when no path is given, paths inside relative to the file.</summary>
    public static KubernetesClientConfiguration BuildConfig(string? path, string? context) =>
        KubernetesClientConfiguration.BuildConfigFromConfigObject(Read(path), context);

    /// <summary>The file's model; a missing, empty or blank file is a <see cref="KubeConfigException"/>.</summary>
    public static K8SConfiguration Read(string? path)
    {
        var file = new FileInfo(path ?? KubernetesClientConfiguration.KubeConfigDefaultLocation);
        if (!file.Exists)
        {
            throw new KubeConfigException($"kubeconfig file not found at {file.FullName}");
        }

        if (string.IsNullOrWhiteSpace(File.ReadAllText(file.FullName)))
        {
            throw new KubeConfigException($"kubeconfig file {file.FullName} is empty");
        }

        return KubernetesClientConfiguration.LoadKubeConfig(file);
    }
}
