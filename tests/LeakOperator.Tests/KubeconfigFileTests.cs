using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using LeakOperator.Operator.Running;

namespace LeakOperator.Tests;

/// <summary>
/// The operator reads kubeconfigs with KubernetesClient's loader behind a guard of ours (KubeconfigFile); every part a
/// kubeconfig can carry must reach the configuration the client is built from, an exec plugin included.
/// </summary>
public sealed class KubeconfigFileTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("kubeconfig-").FullName;
    private readonly X509Certificate2 _ca;
    private readonly string _caPem;
    private readonly string _keyPem;

    public KubeconfigFileTests()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        _ca = new CertificateRequest("CN=test-ca", key, HashAlgorithmName.SHA256).CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(1));
        _caPem = _ca.ExportCertificatePem();
        _keyPem = key.ExportPkcs8PrivateKeyPem();
    }

    public void Dispose()
    {
        _ca.Dispose();
        Directory.Delete(_directory, recursive: true);
    }

    [Fact]
    public void Every_part_of_a_kubeconfig_is_read()
    {
        var model = KubeconfigFile.Read(WriteKubeconfig());

        Assert.Equal(["ca-data", "ca-file", "insecure"], model.Clusters.Select(c => c.Name));
        Assert.Equal(["token", "certificates", "basic", "plugin"], model.Users.Select(u => u.Name));
        Assert.Equal(["with-ca-data", "with-ca-file", "insecure", "plugin"], model.Contexts.Select(c => c.Name));
        var exec = model.Users.Single(u => u.Name == "plugin").UserCredentials.ExternalExecution;
        Assert.Equal(["--cluster", "one"], exec.Arguments);
        Assert.Equal("eu-1", exec.EnvironmentVariables.Single()["value"]);
    }

    [Fact]
    public void The_current_context_gives_its_server_namespace_token_and_inline_CA()
    {
        var config = KubeconfigFile.BuildConfig(WriteKubeconfig(), null);

        Assert.Equal("with-ca-data", config.CurrentContext);
        Assert.Equal("https://127.0.0.1:6443", config.Host);
        Assert.Equal("leaks", config.Namespace);
        Assert.Equal("kubernetes", config.TlsServerName);
        Assert.Equal("abc.def", config.AccessToken);
        Assert.False(config.SkipTlsVerify);
        Assert.Equal(_ca.Thumbprint, Assert.Single(config.SslCaCerts).Thumbprint);
    }

    [Fact]
    public void A_CA_file_is_read_relative_to_the_kubeconfig_and_client_certificates_are_kept()
    {
        var config = KubeconfigFile.BuildConfig(WriteKubeconfig(), "with-ca-file");

        Assert.Equal("https://localhost:16443", config.Host);
        Assert.Equal(_ca.Thumbprint, Assert.Single(config.SslCaCerts).Thumbprint);
        Assert.Equal(Base64(_caPem), config.ClientCertificateData);
        Assert.Equal(Base64(_keyPem), config.ClientCertificateKeyData);
    }

    [Fact]
    public void Basic_auth_and_an_unchecked_server_are_kept()
    {
        var config = KubeconfigFile.BuildConfig(WriteKubeconfig(), "insecure");

        Assert.Equal(new Uri("https://kube.example:8443"), new Uri(config.Host));
        Assert.True(config.SkipTlsVerify);
        Assert.Equal("admin", config.Username);
        Assert.Equal("s3cret: yes", config.Password);
    }

    /// <summary>The plugin really runs (a script in the test's folder) and its ExecCredential's token is the one used.</summary>
    [Fact]
    public async Task An_exec_plugin_is_run_with_its_arguments_and_environment_and_its_token_used()
    {
        var config = KubeconfigFile.BuildConfig(WriteKubeconfig(), "plugin");
        Assert.Equal(new Uri("https://kube.example:8443"), new Uri(config.Host));

        Assert.NotNull(config.TokenProvider);
        var header = await config.TokenProvider.GetAuthenticationHeaderAsync(CancellationToken.None);
        Assert.Equal("Bearer token-for-one-in-eu-1", $"{header.Scheme} {header.Parameter}");
    }

    /// <summary>
    /// Three clusters (CA inline, CA in a file next to the kubeconfig, no TLS check), users with a token, client
    /// certificates, basic auth and an exec plugin, and an extension of the kind minikube writes.
    /// </summary>
    private string WriteKubeconfig()
    {
        string base64Pem = Base64(_caPem);
        string base64Key = Base64(_keyPem);
        File.WriteAllText(Path.Combine(_directory, "ca.crt"), _caPem);
        string plugin = Path.Combine(_directory, "get-token");
        File.WriteAllText(plugin, """
            #!/bin/sh
            printf '{"apiVersion":"client.authentication.k8s.io/v1beta1","kind":"ExecCredential","status":{"token":"token-for-%s-in-%s"}}' "$2" "$REGION"
            """);
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(plugin, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }

        string path = Path.Combine(_directory, "config");
        File.WriteAllText(path, $"""
            apiVersion: v1
            kind: Config
            preferences: {"{}"}
            current-context: with-ca-data
            clusters:
              - name: ca-data
                cluster:
                  server: https://127.0.0.1:6443
                  certificate-authority-data: {base64Pem}
                  tls-server-name: kubernetes
                  extensions:
                    - name: cluster_info
                      extension:
                        last-update: Thu, 26 Nov 2026 10:00:00 UTC
                        provider: minikube.sigs.k8s.io
                        version: v1.34.0
              - name: ca-file
                cluster:
                  server: https://localhost:16443
                  certificate-authority: ca.crt
              - name: insecure
                cluster:
                  server: https://kube.example:8443
                  insecure-skip-tls-verify: true
            users:
              - name: token
                user:
                  token: abc.def
              - name: certificates
                user:
                  client-certificate-data: {base64Pem}
                  client-key-data: {base64Key}
              - name: basic
                user:
                  username: admin
                  password: "s3cret: yes"
              - name: plugin
                user:
                  exec:
                    apiVersion: client.authentication.k8s.io/v1beta1
                    command: {plugin}
                    args: ["--cluster", "one"]
                    env:
                      - name: REGION
                        value: eu-1
                    installHint: install get-token
                    provideClusterInfo: true
            contexts:
              - name: with-ca-data
                context:
                  cluster: ca-data
                  user: token
                  namespace: leaks
              - name: with-ca-file
                context:
                  cluster: ca-file
                  user: certificates
              - name: insecure
                context:
                  cluster: insecure
                  user: basic
              - name: plugin
                context:
                  cluster: insecure
                  user: plugin
            """);
        return path;
    }

    private static string Base64(string pem) => Convert.ToBase64String(System.Text.Encoding.ASCII.GetBytes(pem));
}
