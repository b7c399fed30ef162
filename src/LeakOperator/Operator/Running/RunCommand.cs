using k8s;
using LeakOperator.Controller.Election;
using LeakOperator.Controller.Instrumentation;
using LeakOperator.Controller.Reconciling;
using LeakOperator.Controller.Resources;
using LeakOperator.Hosting;
using LeakOperator.Leaks.Injections;
using LeakOperator.Operator.Api;
using Prometheus;

namespace LeakOperator.Operator.Running;

/// <summary>`LeakOperator run`: the operator against the current kubeconfig, or in-cluster.</summary>
internal static class RunCommand
{
    public const string Component = "leak-operator";

    /// <summary>Prefix of the controller runtime's own metrics (leakoperator_watch_events_total, …), which the chart's
    /// alerts and the dashboard read.</summary>
    public const string MetricsPrefix = "leakoperator";

    public static async Task<int> RunAsync(RunOptions options, CancellationToken cancellationToken)
    {
        // The kubeconfig is read (YAML, certificates, perhaps an exec plugin) while the web host is built, on the other core.
        var configuration = Task.Run(() => LoadConfiguration(options.Kubeconfig, options.Context));
        var builder = ObservabilityEndpoints.CreateBuilder(Environment.GetEnvironmentVariable("ASPNETCORE_URLS") is null ? "http://0.0.0.0:8080" : null);
        builder.Logging.AddSimpleConsole(o =>
        {
            o.SingleLine = true;
            o.TimestampFormat = "HH:mm:ss.fff ";
        });
        builder.Services.Configure<HostOptions>(o =>
        {
            o.ShutdownTimeout = TimeSpan.FromSeconds(25);

            // The controller lists while Kestrel binds, instead of after.
            o.ServicesStartConcurrently = true;
        });
        Compose(builder.Services, configuration, options);
        await using var app = builder.Build();
        ObservabilityEndpoints.Map(app, app.Services.GetRequiredService<InjectionInventory>(), () => app.Services.GetRequiredService<OperatorService>().Readiness(), options.DebugTimers);
        var (config, problem, source) = await configuration.ConfigureAwait(false);
        if (config is null)
        {
            await Console.Error.WriteLineAsync($"LeakOperator run: no usable Kubernetes configuration: {problem}").ConfigureAwait(false);
            return ExitCodes.BadUsage;
        }

        if (await WebStart.StartAsync(app, cancellationToken).ConfigureAwait(false) is { } bindProblem)
        {
            await Console.Error.WriteLineAsync($"LeakOperator run: cannot serve /metrics: {bindProblem} Set ASPNETCORE_URLS to a free address.").ConfigureAwait(false);
            return ExitCodes.BadUsage;
        }
        Console.Out.WriteLine(
            $"LeakOperator run: {options.Identity} serving {ObservabilityEndpoints.ListeningAddress(app)}/metrics, "
            + $"watching {LeakTest.Definition} at {config.Host} (config: {source})");
        await app.WaitForShutdownAsync(cancellationToken).ConfigureAwait(false);
        return ExitCodes.Ok;
    }

    /// <summary>
    /// Like kubectl: --kubeconfig, else the first file in $KUBECONFIG, else in-cluster, else ~/.kube/config. A missing or
    /// malformed file is a problem to report, not a crash.
    /// </summary>
    /// <returns>The configuration, or why there is none; and where it came from, for the start line.</returns>
    internal static (KubernetesClientConfiguration? Config, string? Problem, string Source) LoadConfiguration(string? kubeconfigOption, string? context)
    {
        // Every command that talks to a cluster comes here first, before the client's JSON options are used.
        LeakTestJson.Register();
        string? kubeconfig = kubeconfigOption
            ?? Environment.GetEnvironmentVariable("KUBECONFIG")?.Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries).FirstOrDefault();
        bool inCluster = kubeconfig is null && KubernetesClientConfiguration.IsInCluster();
        string source = inCluster ? "in-cluster, service account token" : $"kubeconfig {kubeconfig ?? "~/.kube/config"}";
        try
        {
            return (inCluster ? KubernetesClientConfiguration.InClusterConfig() : KubeconfigFile.BuildConfig(kubeconfig, context), null, source);
        }
        catch (Exception e) when (e is k8s.Exceptions.KubeConfigException or IOException or YamlDotNet.Core.YamlException)
        {
            return (null, e.Message, source);
        }
    }

    /// <param name="configuration">Loaded before the host starts (RunAsync awaits it), so the client's factory never waits.</param>
    private static void Compose(IServiceCollection services, Task<(KubernetesClientConfiguration? Config, string? Problem, string Source)> configuration, RunOptions options)
    {
        // Outermost first: the limiter's wait, then the request as client-go times it (its body read included).
        services.AddSingleton<IKubernetes>(sp =>
        {
            var metrics = sp.GetRequiredService<ControllerMetrics>();
            var timing = new RequestTiming(metrics.RequestDone, sp.GetRequiredService<ILogger<RequestTiming>>());
            return options.ClientQps > 0
                ? new Kubernetes(configuration.Result.Config!, new ClientRateLimit(options.ClientQps, options.ClientBurst, metrics.ClientThrottled), timing, new BufferedResponses())
                : new Kubernetes(configuration.Result.Config!, timing, new BufferedResponses());
        });
        services.AddSingleton(TimeProvider.System);
        services.AddSingleton(_ => new ControllerMetrics(Metrics.DefaultRegistry, MetricsPrefix));
        services.AddSingleton<InjectionInventory>();
        services.AddSingleton(_ => new InjectionFactory(new LeakBudget(options.Budget)));
        services.AddSingleton(sp => new CustomResourceClient<LeakTest>(sp.GetRequiredService<IKubernetes>(), LeakTest.Definition, fieldManager: Component));
        services.AddSingleton(sp => new EventRecorder(sp.GetRequiredService<IKubernetes>(), Component, options.Identity, sp.GetRequiredService<ILogger<EventRecorder>>()));
        services.AddSingleton<ReconcileRequests>();
        services.AddSingleton(_ => new StatusPacing(options.StatusRefreshesPerSecond));
        services.AddSingleton(sp => new InjectionTracker(
            sp.GetRequiredService<InjectionFactory>(),
            sp.GetRequiredService<InjectionInventory>(),
            sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<ILogger<InjectionTracker>>()));
        services.AddSingleton(sp => new StatusWriter(
            sp.GetRequiredService<CustomResourceClient<LeakTest>>(),
            sp.GetRequiredService<StatusPacing>(),
            sp.GetRequiredService<ControllerMetrics>(),
            Component));
        services.AddSingleton(sp => new LeakTestReconciler(
            sp.GetRequiredService<CustomResourceClient<LeakTest>>(),
            sp.GetRequiredService<InjectionTracker>(),
            sp.GetRequiredService<StatusWriter>(),
            sp.GetRequiredService<EventRecorder>(),
            sp.GetRequiredService<ReconcileRequests>(),
            sp.GetRequiredService<StatusPacing>(),
            sp.GetRequiredService<TimeProvider>(),
            result => sp.GetRequiredService<ControllerMetrics>().DirectReconciled(Component, result)));
        services.AddSingleton(sp => new Controller<LeakTest>(
            sp.GetRequiredService<CustomResourceClient<LeakTest>>(),
            sp.GetRequiredService<LeakTestReconciler>(),
            new ControllerOptions(Component, LeakTest.Finalizer, options.Workers),
            sp.GetRequiredService<ControllerMetrics>(),
            sp.GetRequiredService<ILoggerFactory>(),
            requests: sp.GetRequiredService<ReconcileRequests>()));
        services.AddSingleton(sp => new LeaderElectedRunner(
            sp.GetRequiredService<IKubernetes>(),
            LeaderElectionOptions.Default(options.LeaderElectionNamespace, options.LeaderElectionId, options.Identity) with { Enabled = options.LeaderElect },
            sp.GetRequiredService<ControllerMetrics>(),
            sp.GetRequiredService<ILogger<LeaderElectedRunner>>()));
        services.AddSingleton<OperatorService>();
        services.AddHostedService(sp => sp.GetRequiredService<OperatorService>());
    }
}
