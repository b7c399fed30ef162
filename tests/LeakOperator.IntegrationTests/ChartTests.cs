using k8s;
using k8s.Models;
using LeakOperator.IntegrationTests.ControlPlane;
using LeakOperator.TestSupport;

namespace LeakOperator.IntegrationTests;

/// <summary>The Helm chart, with Helm 3 and Helm 4, against the real API server.</summary>
[Collection(ControlPlaneGroup.Name)]
public sealed class ChartTests(ControlPlaneFixture fixture)
{
    private static readonly string s_chart = Repository.PathOf("charts", "leak-operator");

    [Theory]
    [InlineData(3)]
    [InlineData(4)]
    public async Task Lint_strict_is_clean(int helm)
    {
        var (code, output, error) = await Tools.RunAsync(await Tools.HelmAsync(helm), ["lint", "--strict", s_chart]);
        Assert.True(code == 0, $"helm {helm} lint: {output}{error}");
    }

    [Theory]
    [InlineData(3)]
    [InlineData(4)]
    public async Task Rendered_manifests_are_accepted_by_the_API_server(int helm)
    {
        await using var ns = await TestNamespace.CreateAsync(fixture, $"tpl{helm}");
        var (code, manifests, error) = await Tools.RunAsync(await Tools.HelmAsync(helm), ["template", "lo", s_chart, "--namespace", ns, "--set", "networkPolicy.enabled=true"]);
        Assert.True(code == 0, error);

        var (applied, output, applyError) = await Tools.RunAsync("kubectl", ["--kubeconfig", fixture.Plane.AdminKubeconfig, "apply", "--dry-run=server", "-n", ns, "-f", "-"], manifests);

        Assert.True(applied == 0, $"server-side dry run refused the chart: {applyError}");
        foreach (var kind in new[]
        {
            "serviceaccount", "clusterrole.rbac", "clusterrolebinding.rbac", "role.rbac", "rolebinding.rbac", "deployment.apps", "service",
            "configmap", "networkpolicy.networking.k8s.io",
        })
        {
            Assert.Contains(kind, output, StringComparison.Ordinal);
        }
    }

    [Theory]
    [InlineData(3)]
    [InlineData(4)]
    public async Task Install_creates_the_RBAC_and_the_dashboard_and_uninstall_removes_them(int helm)
    {
        await using var ns = await TestNamespace.CreateAsync(fixture, $"inst{helm}");
        string release = $"lo{helm}";
        string binary = await Tools.HelmAsync(helm);

        var (code, output, error) = await Tools.RunAsync(binary, ["install", release, s_chart, "--namespace", ns, "--kubeconfig", fixture.Plane.AdminKubeconfig]);
        Assert.True(code == 0, $"helm {helm} install: {output}{error}");
        Assert.Contains("kubectl apply -f config/samples/", output, StringComparison.Ordinal);

        string fullname = $"{release}-leak-operator";
        var role = await fixture.Admin.RbacAuthorizationV1.ReadClusterRoleAsync(fullname);
        Assert.Contains(role.Rules, r => r.Resources.Contains("leaktests/status"));
        var deployment = await fixture.Admin.AppsV1.ReadNamespacedDeploymentAsync(fullname, ns);
        var container = deployment.Spec.Template.Spec.Containers.Single();
        Assert.True(container.SecurityContext.ReadOnlyRootFilesystem);
        Assert.Equal(["ALL"], container.SecurityContext.Capabilities.Drop);
        Assert.Equal("RuntimeDefault", deployment.Spec.Template.Spec.SecurityContext.SeccompProfile.Type);
        var dashboard = await fixture.Admin.CoreV1.ReadNamespacedConfigMapAsync($"{fullname}-dashboard", ns);
        Assert.Equal("1", dashboard.Metadata.Labels["grafana_dashboard"]);
        Assert.Equal(await File.ReadAllTextAsync(Repository.PathOf("deploy", "grafana", "leak-operator.json")), dashboard.Data["leak-operator.json"] + "\n");
        await fixture.Admin.ApiextensionsV1.ReadCustomResourceDefinitionAsync("leaktests.leakoperator.dev");

        // Without hooks: the pre-delete cleanup Job needs a node to run on, and this API server has none (NodeTests run it).
        (code, output, error) = await Tools.RunAsync(binary, ["uninstall", release, "--no-hooks", "--namespace", ns, "--kubeconfig", fixture.Plane.AdminKubeconfig]);
        Assert.True(code == 0, $"helm {helm} uninstall: {output}{error}");
        var roles = await fixture.Admin.RbacAuthorizationV1.ListClusterRoleAsync();
        Assert.DoesNotContain(roles.Items, r => r.Metadata.Name == fullname);
    }

    /// <summary>
    /// The Deployment's container as rendered (defaults, and two replicas), started as the image would: the Dockerfile's
    /// entrypoint with exactly the rendered args and the rendered environment. Only what the node supplies is
    /// supplied here: the pod's name and namespace, the API server (KUBECONFIG instead of the in-cluster config) and a
    /// free port instead of 8080. Today's chart passes --name=value; an option reader that took only --name value
    /// crash-looped every pod.
    /// </summary>
    [Fact]
    public async Task The_rendered_Deployment_args_start_two_replicas_that_become_ready()
    {
        var (code, manifests, error) = await Tools.RunAsync(await Tools.HelmAsync(4), ["template", "lo", s_chart, "--set", "replicaCount=2"]);
        Assert.True(code == 0, error);
        var deployment = ManifestYaml.LoadAll(manifests).OfType<V1Deployment>().Single();
        Assert.Equal(2, deployment.Spec.Replicas);
        var container = deployment.Spec.Template.Spec.Containers.Single();
        Assert.Null(container.Command);
        Assert.Contains(container.Args, a => a.StartsWith("--workers=", StringComparison.Ordinal));
        var environment = container.Env.Where(e => e.Value is not null).ToDictionary(e => e.Name, e => e.Value);
        Assert.Contains("DOTNET_GCHeapHardLimit", environment.Keys);

        var replicas = new List<OperatorProcess>();
        try
        {
            foreach (string pod in new[] { "lo-leak-operator-a", "lo-leak-operator-b" })
            {
                replicas.Add(OperatorProcess.Start(
                    new Dictionary<string, string>(environment)
                    {
                        ["ASPNETCORE_URLS"] = "http://127.0.0.1:0",
                        ["POD_NAME"] = pod,
                        ["POD_NAMESPACE"] = ControlPlaneFixture.OperatorNamespace,
                        ["KUBECONFIG"] = fixture.Plane.OperatorKubeconfig,
                    },
                    [.. container.Args]));
            }

            using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
            foreach (var replica in replicas)
            {
                string metrics = await replica.WaitForOutput(RunningOperator.ServingLine(), TimeSpan.FromSeconds(60));
                await Eventually.True(
                    async () => (await http.GetAsync(metrics.Replace("/metrics", "/readyz", StringComparison.Ordinal))).IsSuccessStatusCode,
                    () => $"a replica started with the rendered args is ready.\nstdout:\n{replica.Stdout}\nstderr:\n{replica.Stderr}",
                    TimeSpan.FromSeconds(60));
                Assert.False(replica.HasExited);
            }
        }
        finally
        {
            foreach (var replica in replicas)
            {
                await replica.DisposeAsync();
            }
        }
    }

    [Theory]
    [InlineData("budget.memoryMiB=-1", "memoryMiB")]
    [InlineData("budget.connections=-5", "connections")]
    [InlineData("workers=0", "workers")]
    [InlineData("statusRefreshesPerSecond=0", "statusRefreshesPerSecond")]
    [InlineData("image.pullPolicy=Sometimes", "pullPolicy")]
    [InlineData("serviceMonitor.interval=often", "interval")]
    [InlineData("budgets.memoryMiB=10", "budgets")]
    [InlineData("leaderElection.enable=true", "enable")]
    public async Task The_values_schema_rejects_bad_values_at_install(string setting, string named)
    {
        foreach (int helm in new[] { 3, 4 })
        {
            var (code, _, error) = await Tools.RunAsync(await Tools.HelmAsync(helm), ["template", "lo", s_chart, "--set", setting]);
            Assert.True(code != 0, $"helm {helm} accepted --set {setting}");
            Assert.Contains(named, error, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task The_ServiceMonitor_selects_the_metrics_service_when_enabled()
    {
        var (code, manifests, error) = await Tools.RunAsync(
            await Tools.HelmAsync(4),
            ["template", "lo", s_chart, "--set", "serviceMonitor.enabled=true", "--set", "serviceMonitor.labels.release=monitoring"]);
        Assert.True(code == 0, error);
        var monitor = manifests.Split("\n---", StringSplitOptions.RemoveEmptyEntries).Single(doc => doc.Contains("kind: ServiceMonitor", StringComparison.Ordinal));
        Assert.Contains("release: monitoring", monitor, StringComparison.Ordinal);
        Assert.Contains("port: http-metrics", monitor, StringComparison.Ordinal);
        Assert.Contains("app.kubernetes.io/instance: lo", monitor, StringComparison.Ordinal);

        (_, manifests, _) = await Tools.RunAsync(await Tools.HelmAsync(4), ["template", "lo", s_chart]);
        Assert.DoesNotContain("kind: ServiceMonitor", manifests, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_chart_grants_exactly_the_RBAC_of_config_rbac()
    {
        var (_, manifests, _) = await Tools.RunAsync(await Tools.HelmAsync(4), ["template", "lo", s_chart]);
        var rendered = ManifestYaml.LoadAll(manifests);
        var config = ManifestYaml.LoadAll(await File.ReadAllTextAsync(Repository.PathOf("config", "rbac", "role.yaml")))
            .Concat(ManifestYaml.LoadAll(await File.ReadAllTextAsync(Repository.PathOf("config", "rbac", "leader_election_role.yaml"))));

        // The operator's ClusterRole; the uninstall hook's own (…-cleanup) is not the operator's.
        var operatorRole = rendered.OfType<V1ClusterRole>().Single(r => !r.Metadata.Name.EndsWith("-cleanup", StringComparison.Ordinal));
        Assert.Equal(Rules(config.OfType<V1ClusterRole>().Single().Rules), Rules(operatorRole.Rules));
        Assert.Equal(Rules(config.OfType<V1Role>().Single().Rules), Rules(rendered.OfType<V1Role>().Single().Rules));
    }

    private static List<string> Rules(IEnumerable<V1PolicyRule> rules) =>
        [.. rules.Select(r => $"{string.Join(',', r.ApiGroups)}|{string.Join(',', r.Resources)}|{string.Join(',', r.Verbs.Order(StringComparer.Ordinal))}").Order(StringComparer.Ordinal)];
}
