using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;
using k8s;
using LeakOperator.Operator.Running;

namespace LeakOperator.Tests;

/// <summary>
/// The operator reads kubeconfigs with its own YAML setup (faster to start, see KubeconfigFile); it must read every
/// kubeconfig exactly as KubernetesClient's loader does, so each test compares the two on the same file.
/// </summary>
public sealed class KubeconfigFileTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("kubeconfig-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public void Every_part_of_a_kubeconfig_is_read_as_KubernetesClient_reads_it()
    {
        string path = WriteKubeconfig();

        var ours = KubeconfigFile.Read(path);
        var theirs = KubernetesClientConfiguration.LoadKubeConfig(path);

        Assert.Equal(3, ours.Clusters.Count());
        Assert.Equal(Json(theirs), Json(ours));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("with-ca-file")]
    [InlineData("insecure")]
    public void Each_context_gives_the_configuration_KubernetesClient_gives(string? context)
    {
        string path = WriteKubeconfig();

        var ours = KubeconfigFile.BuildConfig(path, context);
        var theirs = KubernetesClientConfiguration.BuildConfigFromConfigFile(path, context);

        Assert.Equal(theirs.Host, ours.Host);
        Assert.Equal(theirs.CurrentContext, ours.CurrentContext);
        Assert.Equal(theirs.Namespace, ours.Namespace);
        Assert.Equal(theirs.SkipTlsVerify, ours.SkipTlsVerify);
        Assert.Equal(theirs.AccessToken, ours.AccessToken);
        Assert.Equal(theirs.Username, ours.Username);
        Assert.Equal(theirs.Password, ours.Password);
        Assert.Equal(theirs.ClientCertificateData, ours.ClientCertificateData);
        Assert.Equal(theirs.ClientCertificateKeyData, ours.ClientCertificateKeyData);
        Assert.Equal(theirs.SslCaCerts?.Select(c => c.Thumbprint), ours.SslCaCerts?.Select(c => c.Thumbprint));
    }

    /// <summary>
    /// Three clusters (CA inline, CA in a file next to the kubeconfig, no TLS check), users with a token, client
    /// certificates, basic auth and an exec plugin, and an extension of the kind minikube writes.
    /// </summary>
    private string WriteKubeconfig()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        using var certificate = new CertificateRequest("CN=test-ca", key, HashAlgorithmName.SHA256).CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(1));
        string pem = certificate.ExportCertificatePem();
        string base64Pem = Convert.ToBase64String(System.Text.Encoding.ASCII.GetBytes(pem));
        string base64Key = Convert.ToBase64String(System.Text.Encoding.ASCII.GetBytes(key.ExportPkcs8PrivateKeyPem()));
        File.WriteAllText(Path.Combine(_directory, "ca.crt"), pem);
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
                  server: https://0.0.0.0:8443
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
                    command: /usr/bin/get-token
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

    private static string Json(object model) => JsonSerializer.Serialize(model);
}
