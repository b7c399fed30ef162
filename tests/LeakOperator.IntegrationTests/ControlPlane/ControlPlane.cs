using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using k8s;
using LeakOperator.Controller.Resources;

namespace LeakOperator.IntegrationTests.ControlPlane;

/// <summary>
/// A real etcd and kube-apiserver on loopback, like controller-runtime's envtest: RBAC on, token authentication,
/// no controller-manager (so no pods run and nothing is garbage-collected). Binaries come from KUBEBUILDER_ASSETS
/// or from scripts/envtest-assets.sh, which provisions and caches them.
/// </summary>
public sealed class ControlPlane : IAsyncDisposable
{
    public const string AdminToken = "leakoperator-admin-token";
    public const string OperatorToken = "leakoperator-operator-token";

    /// <summary>The user the operator runs as in tests: it has only the RBAC the chart and config/rbac grant.</summary>
    public const string OperatorUser = "leak-operator";

    private readonly string _assets;
    private readonly string _dir;
    private readonly int _etcdPort = TestSupport.Ports.Free();
    private readonly int _etcdPeerPort = TestSupport.Ports.Free();
    private Process? _etcd;
    private Process? _apiServer;
    private readonly StringBuilder _apiServerLog = new();

    private ControlPlane(string assets, string dir)
    {
        _assets = assets;
        _dir = dir;
        ApiServerPort = TestSupport.Ports.Free();
    }

    public int ApiServerPort { get; }

    public Uri Server => new($"https://127.0.0.1:{ApiServerPort}");

    public string AdminKubeconfig => Path.Combine(_dir, "admin.kubeconfig");

    /// <summary>etcd's own /metrics (plain HTTP on loopback): its disk latencies, e.g. WAL fsyncs.</summary>
    public Uri EtcdMetrics => new($"http://127.0.0.1:{_etcdPort}/metrics");

    public string OperatorKubeconfig => Path.Combine(_dir, "operator.kubeconfig");

    /// <summary>CPU time the API server and etcd have used so far: on a small machine, the budget a controller competes for.</summary>
    public TimeSpan ControlPlaneCpu => CpuOf(_apiServer) + CpuOf(_etcd);

    public string ApiServerLog
    {
        get
        {
            lock (_apiServerLog)
            {
                return _apiServerLog.ToString();
            }
        }
    }

    public static async Task<ControlPlane> StartAsync()
    {
        // etcd's and kube-apiserver's output readers hold pool threads for the whole run (see ProcessReaderThreads).
        TestSupport.ProcessReaderThreads.Reserve();
        string assets = await FindAssetsAsync();
        string dir = Directory.CreateTempSubdirectory("leakoperator-envtest-").FullName;
        var plane = new ControlPlane(assets, dir);
        plane.WriteCredentials();
        plane.StartEtcd();
        await plane.StartApiServerAsync();
        return plane;
    }

    /// <summary>
    /// The tests' own client. It buffers response bodies as the operator's does (<see cref="BufferedResponses"/>):
    /// without it, KubernetesClient's synchronous body read blocks a thread of the test process per response in flight,
    /// and under a storm the test's own thread pool starves, so what the test times (a probe, a /healthz) includes its
    /// own wait for a thread: a /healthz the operator answered in 1 ms was timed at 949 ms that way.
    /// </summary>
    public IKubernetes AdminClient() => new Kubernetes(KubernetesClientConfiguration.BuildConfigFromConfigFile(AdminKubeconfig), new BufferedResponses());

    /// <summary>Stops the API server (etcd keeps the data) and starts it again on the same port.</summary>
    public async Task RestartApiServerAsync(TimeSpan downtime)
    {
        StopProcess(_apiServer);
        await Task.Delay(downtime);
        await StartApiServerAsync();
    }

    public async ValueTask DisposeAsync()
    {
        StopProcess(_apiServer);
        StopProcess(_etcd);
        await Task.Yield();
        try
        {
            Directory.Delete(_dir, recursive: true);
        }
        catch (IOException)
        {
            // A file still held by a dying process; the temp folder is cleaned by the system.
        }
    }

    private static async Task<string> FindAssetsAsync()
    {
        if (Environment.GetEnvironmentVariable("KUBEBUILDER_ASSETS") is { Length: > 0 } assets)
        {
            return assets;
        }

        string script = TestSupport.Repository.PathOf("scripts", "envtest-assets.sh");
        var start = new ProcessStartInfo("bash", [script]) { RedirectStandardOutput = true, RedirectStandardError = false };
        using var provision = Process.Start(start)!;
        string output = await provision.StandardOutput.ReadToEndAsync();
        await provision.WaitForExitAsync();
        if (provision.ExitCode != 0)
        {
            throw new InvalidOperationException($"scripts/envtest-assets.sh failed ({provision.ExitCode}); set KUBEBUILDER_ASSETS to a folder with etcd and kube-apiserver");
        }

        return output.Trim().Split('\n')[^1].Trim();
    }

    private void WriteCredentials()
    {
        using var key = RSA.Create(2048);
        File.WriteAllText(Path.Combine(_dir, "sa.key"), key.ExportRSAPrivateKeyPem());
        File.WriteAllText(Path.Combine(_dir, "tokens.csv"), $"""
            {AdminToken},admin,admin-uid,"system:masters"
            {OperatorToken},{OperatorUser},operator-uid

            """);
        File.WriteAllText(AdminKubeconfig, Kubeconfig("admin", AdminToken));
        File.WriteAllText(OperatorKubeconfig, Kubeconfig(OperatorUser, OperatorToken));
    }

    private string Kubeconfig(string user, string token) => $"""
        apiVersion: v1
        kind: Config
        clusters:
          - name: envtest
            cluster:
              server: {Server}
              insecure-skip-tls-verify: true
        users:
          - name: {user}
            user:
              token: {token}
        contexts:
          - name: envtest
            context:
              cluster: envtest
              user: {user}
              namespace: default
        current-context: envtest

        """;

    private void StartEtcd()
    {
        _etcd = Launch(Path.Combine(_assets, "etcd"), null, [
            "--name=envtest",
            $"--data-dir={Path.Combine(_dir, "etcd")}",
            $"--listen-client-urls=http://127.0.0.1:{_etcdPort}",
            $"--advertise-client-urls=http://127.0.0.1:{_etcdPort}",
            $"--listen-peer-urls=http://127.0.0.1:{_etcdPeerPort}",
            $"--initial-advertise-peer-urls=http://127.0.0.1:{_etcdPeerPort}",
            $"--initial-cluster=envtest=http://127.0.0.1:{_etcdPeerPort}",
        ]);
    }

    private async Task StartApiServerAsync()
    {
        _apiServer = Launch(Path.Combine(_assets, "kube-apiserver"), _apiServerLog, [
            $"--etcd-servers=http://127.0.0.1:{_etcdPort}",
            "--bind-address=127.0.0.1",
            "--advertise-address=127.0.0.1",
            $"--secure-port={ApiServerPort}",
            "--insecure-port=0",
            $"--cert-dir={Path.Combine(_dir, "certs")}",
            "--service-cluster-ip-range=10.0.0.0/24",
            "--authorization-mode=RBAC",
            $"--token-auth-file={Path.Combine(_dir, "tokens.csv")}",
            "--service-account-issuer=https://kubernetes.default.svc.cluster.local",
            $"--service-account-key-file={Path.Combine(_dir, "sa.key")}",
            $"--service-account-signing-key-file={Path.Combine(_dir, "sa.key")}",
            "--allow-privileged=true",
        ]);

        using var http = new HttpClient(new HttpClientHandler { ServerCertificateCustomValidationCallback = static (_, _, _, _) => true });
        http.DefaultRequestHeaders.Authorization = new("Bearer", AdminToken);
        var watch = Stopwatch.StartNew();
        while (true)
        {
            try
            {
                var response = await http.GetAsync(new Uri(Server, "/readyz"));
                if (response.IsSuccessStatusCode)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
                // Not listening yet.
            }

            if (_apiServer.HasExited || watch.Elapsed > TimeSpan.FromSeconds(90))
            {
                throw new InvalidOperationException($"kube-apiserver did not become ready (exited: {_apiServer.HasExited}).\n{Tail(ApiServerLog)}");
            }

            await Task.Delay(200);
        }
    }

    private static Process Launch(string binary, StringBuilder? log, string[] args)
    {
        var start = new ProcessStartInfo(binary, args)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        var process = Process.Start(start) ?? throw new InvalidOperationException($"could not start {binary}");
        process.OutputDataReceived += (_, e) => Append(log, e.Data);
        process.ErrorDataReceived += (_, e) => Append(log, e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
    }

    private static void Append(StringBuilder? log, string? line)
    {
        if (log is null || line is null)
        {
            return;
        }

        lock (log)
        {
            if (log.Length > 1_000_000)
            {
                log.Remove(0, 500_000);
            }

            log.AppendLine(line);
        }
    }

    private static TimeSpan CpuOf(Process? process)
    {
        if (process is null)
        {
            return TimeSpan.Zero;
        }

        process.Refresh();
        return process.TotalProcessorTime;
    }

    private static void StopProcess(Process? process)
    {
        if (process is null || process.HasExited)
        {
            return;
        }

        process.Kill(entireProcessTree: true);
        process.WaitForExit(10_000);
        process.Dispose();
    }

    private static string Tail(string text) => text.Length > 4000 ? text[^4000..] : text;
}
