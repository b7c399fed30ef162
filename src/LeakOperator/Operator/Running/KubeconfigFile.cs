using k8s;
using k8s.Exceptions;
using k8s.KubeConfigModels;
using YamlDotNet.Serialization;
using YamlDotNet.Serialization.NamingConventions;

namespace LeakOperator.Operator.Running;

/// <summary>
/// Reads a kubeconfig file into KubernetesClient's own model, which then builds the configuration from it. Only the
/// reading is ours: KubernetesClient reads kubeconfigs with its general YAML deserializer, whose setup walks every
/// Kubernetes model type it knows for their JSON names, and that setup was most of the 0.5 s a cold operator waited
/// for its kubeconfig. A kubeconfig needs only the kubeconfig model, whose YAML names its attributes give.
/// </summary>
internal static class KubeconfigFile
{
    private static readonly IDeserializer s_deserializer = new DeserializerBuilder()
        .WithNamingConvention(CamelCaseNamingConvention.Instance)
        .IgnoreUnmatchedProperties()
        .Build();

    /// <summary>As KubernetesClient's BuildConfigFromConfigFile: ~/.kube/config when no path is given, paths inside relative to the file.</summary>
    public static KubernetesClientConfiguration BuildConfig(string? path, string? context) =>
        KubernetesClientConfiguration.BuildConfigFromConfigObject(Read(path), context);

    /// <summary>The file's model, as KubernetesClient's LoadKubeConfig reads it; an empty file is an error, not null.</summary>
    public static K8SConfiguration Read(string? path)
    {
        var file = new FileInfo(path ?? KubernetesClientConfiguration.KubeConfigDefaultLocation);
        if (!file.Exists)
        {
            throw new KubeConfigException($"kubeconfig file not found at {file.FullName}");
        }

        using var reader = file.OpenText();
        var model = s_deserializer.Deserialize<K8SConfiguration?>(reader) ?? throw new KubeConfigException($"kubeconfig file {file.FullName} is empty");
        model.FileName = file.FullName;
        return model;
    }
}
