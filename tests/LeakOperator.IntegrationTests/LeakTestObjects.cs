using System.Net;
using k8s;
using k8s.Autorest;
using LeakOperator.Controller.Resources;
using LeakOperator.Operator.Api;

namespace LeakOperator.IntegrationTests;

/// <summary>What a user does with kubectl, done with the client: create, read, change and delete LeakTests.</summary>
public sealed class LeakTestObjects(IKubernetes admin)
{
    public CustomResourceClient<LeakTest> Client { get; } = new(admin, LeakTest.Definition);

    public static LeakTest New(string ns, string name, LeakTestSpec spec) => new()
    {
        Metadata = new() { Name = name, NamespaceProperty = ns },
        Spec = spec,
    };

    public async Task<LeakTest> CreateAsync(LeakTest test)
    {
        var created = await admin.CustomObjects.CreateNamespacedCustomObjectAsync(test, LeakTest.Group, LeakTest.Version, test.Metadata.NamespaceProperty, LeakTest.Plural);
        return KubernetesJson.Deserialize<LeakTest>(KubernetesJson.Serialize(created));
    }

    /// <summary>Creates a raw object (any shape), as a user with a typo in their YAML would.</summary>
    public Task CreateRawAsync(string ns, object body) =>
        admin.CustomObjects.CreateNamespacedCustomObjectAsync(body, LeakTest.Group, LeakTest.Version, ns, LeakTest.Plural);

    public Task<LeakTest?> GetAsync(string ns, string name) => Client.GetAsync(new ObjectKey(ns, name), CancellationToken.None);

    /// <summary>Sets an annotation (null removes it) with a merge patch, as kubectl annotate does.</summary>
    public async Task AnnotateAsync(string ns, string name, string key, string? value)
    {
        string json = value is null ? "null" : $"\"{value}\"";
        var patch = new k8s.Models.V1Patch("{\"metadata\":{\"annotations\":{\"" + key + "\":" + json + "}}}", k8s.Models.V1Patch.PatchType.MergePatch);
        await admin.CustomObjects.PatchNamespacedCustomObjectAsync(patch, LeakTest.Group, LeakTest.Version, ns, LeakTest.Plural, name);
    }

    /// <summary>Every LeakTest in <paramref name="ns"/>, by name, in one request.</summary>
    public async Task<Dictionary<string, LeakTest>> ListAsync(string ns)
    {
        var list = await admin.CustomObjects.ListNamespacedCustomObjectAsync(LeakTest.Group, LeakTest.Version, ns, LeakTest.Plural);
        return KubernetesJson.Deserialize<LeakTestList>(KubernetesJson.Serialize(list)).Items.ToDictionary(t => t.Metadata.Name, StringComparer.Ordinal);
    }

    public async Task DeleteAsync(string ns, string name)
    {
        try
        {
            await admin.CustomObjects.DeleteNamespacedCustomObjectAsync(LeakTest.Group, LeakTest.Version, ns, LeakTest.Plural, name);
        }
        catch (HttpOperationException e) when (e.Response.StatusCode == HttpStatusCode.NotFound)
        {
        }
    }

    /// <summary>Changes the spec (a new generation), retrying on conflicts as kubectl edit would.</summary>
    public async Task<LeakTest> UpdateSpecAsync(string ns, string name, Action<LeakTestSpec> change)
    {
        for (int attempt = 0; ; attempt++)
        {
            var current = await GetAsync(ns, name) ?? throw new InvalidOperationException($"{ns}/{name} is gone");
            change(current.Spec);
            try
            {
                return await Client.ReplaceAsync(current, CancellationToken.None);
            }
            catch (HttpOperationException e) when (e.Response.StatusCode == HttpStatusCode.Conflict && attempt < 10)
            {
            }
        }
    }

    private sealed class LeakTestList
    {
        [System.Text.Json.Serialization.JsonPropertyName("items")]
        public List<LeakTest> Items { get; set; } = [];
    }
}
