using System.Diagnostics;
using System.Net;
using LeakOperator.Diagnostics;
using LeakOperator.TestSupport;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace LeakOperator.Diagnostics.Tests;

/// <summary>
/// Each default ignore is what the runtime really starts: with the defaults the guard is quiet about it, and with
/// them turned off it names exactly that owner. So an entry that no longer matches (a runtime renamed it) fails here.
/// </summary>
public sealed class DefaultIgnoresTests
{
    private static LeakGuardOptions TimersOnly(bool defaults) => new()
    {
        Checks = LeakChecks.Timers,
        UseDefaultIgnores = defaults,
        SettleTimeout = TimeSpan.FromMilliseconds(300),
    };

    [Fact]
    public async Task A_shared_HttpClients_pool_timers_are_ignored_and_its_connections_are_not()
    {
        await using var server = await StartKestrelAsync();
        var withDefaults = LeakGuard.Start(TimersOnly(defaults: true));
        var without = LeakGuard.Start(TimersOnly(defaults: false));
        var everything = LeakGuard.Start(new LeakGuardOptions { SettleTimeout = TimeSpan.FromMilliseconds(300) });
        using var shared = new HttpClient();
        Assert.Equal("ok", await shared.GetStringAsync(server.Url));

        Assert.Empty((await withDefaults.FindLeaksAsync()).Timers);
        Assert.Contains((await without.FindLeaksAsync()).Timers, g => g.Owner.StartsWith("System.Net.Http.HttpConnectionPoolManager", StringComparison.Ordinal));
        // The idle keep-alive connection is still there, and still reported.
        Assert.Contains((await everything.FindLeaksAsync()).HttpConnections, c => c.Port == server.Port && c.Count == 1);
    }

    [Fact]
    public async Task Kestrel_needs_no_ignore_its_heartbeat_thread_and_socket_end_with_the_server()
    {
        var everything = LeakGuard.Start(new LeakGuardOptions { UseDefaultIgnores = false, SettleTimeout = TimeSpan.FromSeconds(2) });
        await using (var server = await StartKestrelAsync())
        {
            var whileRunning = await everything.FindLeaksAsync();
            Assert.DoesNotContain(whileRunning.Timers, g => g.Owner.Contains("Kestrel", StringComparison.Ordinal));
            Assert.Contains(new ThreadLeftover("Kestrel Timer", 1), whileRunning.Threads);
            Assert.True(whileRunning.Sockets >= 1, whileRunning.Describe());
        }

        // Stopped, the server leaves nothing but the runtime's own threads (the signal handler, started on first use).
        var stopped = await everything.FindLeaksAsync();
        Assert.True(stopped.Timers.Count == 0 && stopped.Sockets == 0 && stopped.Threads.All(t => DefaultIgnores.IsRuntimeThread(t.Name)), stopped.Describe());
    }

    [Fact]
    public async Task Waiting_for_a_process_that_is_not_our_child_polls_and_is_ignored()
    {
        var withDefaults = LeakGuard.Start(TimersOnly(defaults: true));
        var without = LeakGuard.Start(TimersOnly(defaults: false));
        using var stop = new CancellationTokenSource();
        using var notOurChild = Process.GetProcessById(Environment.ProcessId == 1 ? 0 : 1);
        var waiting = notOurChild.WaitForExitAsync(stop.Token);

        Assert.Empty((await withDefaults.FindLeaksAsync()).Timers);
        var polling = await Eventually.Within(
            () => without.FindLeaks().Timers,
            timers => timers.Any(g => g.Owner.StartsWith("System.Diagnostics.ProcessWaitState", StringComparison.Ordinal)),
            TimeSpan.FromSeconds(5));
        Assert.NotNull(polling);

        await stop.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => waiting);
    }

    private static async Task<RunningServer> StartKestrelAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(k => k.Listen(IPAddress.Loopback, 0));
        var app = builder.Build();
        app.MapGet("/", () => Results.Text("ok"));
        await app.StartAsync();
        var url = new Uri(app.Urls.Single());
        return new RunningServer(app, url);
    }

    private sealed record RunningServer(WebApplication App, Uri Url) : IAsyncDisposable
    {
        public int Port => Url.Port;

        public async ValueTask DisposeAsync()
        {
            await App.StopAsync();
            await App.DisposeAsync();
        }
    }
}
