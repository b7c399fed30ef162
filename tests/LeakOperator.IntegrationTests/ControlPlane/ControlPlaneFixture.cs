using k8s;
using k8s.Models;
using LeakOperator.TestSupport;

namespace LeakOperator.IntegrationTests.ControlPlane;

/// <summary>
/// One control plane for the whole test run, with the LeakTest CRD installed (from config/crd) and the operator's
/// RBAC (from config/rbac) bound to the test operator user.
/// </summary>
public sealed class ControlPlaneFixture : IAsyncLifetime
{
    public const string OperatorNamespace = "leak-operator-system";

    private ControlPlane? _plane;

    public ControlPlane Plane => _plane ?? throw new InvalidOperationException("the control plane is not started");

    public IKubernetes Admin { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        _plane = await ControlPlane.StartAsync();
        Admin = _plane.AdminClient();
        await Manifests.ApplyAsync(Admin, TestSupport.Repository.PathOf("config", "crd", "bases", "leakoperator.dev_leaktests.yaml"));
        await WaitForCrdEstablishedAsync();
        await Admin.CoreV1.CreateNamespaceAsync(new V1Namespace { Metadata = new V1ObjectMeta { Name = OperatorNamespace } });
        await Manifests.ApplyAsync(Admin, TestSupport.Repository.PathOf("config", "rbac", "role.yaml"));
        await Manifests.ApplyAsync(Admin, TestSupport.Repository.PathOf("config", "rbac", "leader_election_role.yaml"), OperatorNamespace);
        await Admin.RbacAuthorizationV1.CreateClusterRoleBindingAsync(new V1ClusterRoleBinding
        {
            Metadata = new V1ObjectMeta { Name = "leak-operator-test-user" },
            RoleRef = new V1RoleRef { ApiGroup = "rbac.authorization.k8s.io", Kind = "ClusterRole", Name = "leak-operator" },
            Subjects = [new Rbacv1Subject { Kind = "User", Name = ControlPlane.OperatorUser, ApiGroup = "rbac.authorization.k8s.io" }],
        });
        await Admin.RbacAuthorizationV1.CreateNamespacedRoleBindingAsync(
            new V1RoleBinding
            {
                Metadata = new V1ObjectMeta { Name = "leak-operator-test-user-leader-election" },
                RoleRef = new V1RoleRef { ApiGroup = "rbac.authorization.k8s.io", Kind = "Role", Name = "leak-operator-leader-election" },
                Subjects = [new Rbacv1Subject { Kind = "User", Name = ControlPlane.OperatorUser, ApiGroup = "rbac.authorization.k8s.io" }],
            },
            OperatorNamespace);
    }

    public async Task DisposeAsync()
    {
        Admin?.Dispose();
        if (_plane is not null)
        {
            await _plane.DisposeAsync();
        }
    }

    /// <summary>The API server's own /metrics (as the admin), e.g. to count the requests a test caused.</summary>
    public async Task<Scrape> ScrapeApiServerAsync()
    {
        var admin = (Kubernetes)Admin;
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(admin.BaseUri, "metrics"));
        await admin.Credentials.ProcessHttpRequestAsync(request, CancellationToken.None);
        using var response = await admin.HttpClient.SendAsync(request);
        response.EnsureSuccessStatusCode();
        return new Scrape(await response.Content.ReadAsStringAsync());
    }

    /// <summary>etcd's /metrics: whether a slow write was the disk's (WAL fsync, backend commit).</summary>
    public async Task<Scrape> ScrapeEtcdAsync()
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
        return new Scrape(await http.GetStringAsync(Plane.EtcdMetrics));
    }

    /// <summary>A fresh namespace for one test, so tests never see each other's LeakTests.</summary>
    public async Task<string> NewNamespaceAsync(string prefix)
    {
        string name = $"{prefix}-{Guid.NewGuid():N}"[..Math.Min(prefix.Length + 9, 63)];
        await Admin.CoreV1.CreateNamespaceAsync(new V1Namespace { Metadata = new V1ObjectMeta { Name = name } });
        return name;
    }

    private async Task WaitForCrdEstablishedAsync()
    {
        await TestSupport.Eventually.True(
            async () =>
            {
                var crd = await Admin.ApiextensionsV1.ReadCustomResourceDefinitionAsync("leaktests.leakoperator.dev");
                return crd.Status?.Conditions?.Any(c => c.Type == "Established" && c.Status == "True") == true;
            },
            "the LeakTest CRD is established",
            TimeSpan.FromSeconds(30));
    }
}

[CollectionDefinition(Name)]
public sealed class ControlPlaneGroup : ICollectionFixture<ControlPlaneFixture>
{
    public const string Name = "control plane";
}
