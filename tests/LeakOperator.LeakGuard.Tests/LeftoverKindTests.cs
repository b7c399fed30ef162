using System.Net;
using System.Net.Sockets;
using LeakOperator.Diagnostics;

namespace LeakOperator.Diagnostics.Tests;

/// <summary>
/// Each kind of leftover the guard can see, left behind on purpose and then cleaned up: the guard names it with its
/// count while it is there, and finds nothing once it is gone.
/// </summary>
public sealed class LeftoverKindTests
{
    private static readonly LeakGuardOptions s_quick = new() { SettleTimeout = TimeSpan.FromMilliseconds(200) };

    [Fact]
    public async Task Timer_loops_are_named_by_the_async_method_awaiting_them()
    {
        using var stop = new CancellationTokenSource();
        var guard = LeakGuard.Start(s_quick);
        var loops = Enumerable.Range(0, 25).Select(_ => RefreshLoopAsync(stop.Token)).ToList();

        var left = await guard.FindLeaksAsync();
        var group = Assert.Single(left.Timers);
        Assert.Equal($"{typeof(LeftoverKindTests).FullName}.{nameof(RefreshLoopAsync)}", group.Owner);
        Assert.Equal(("PeriodicTimer", 60_000L, 25), (group.Kind, group.PeriodMilliseconds, group.Count));
        Assert.Contains($"25 @ {group.Owner} [PeriodicTimer, every 60000 ms]", left.Describe(), StringComparison.Ordinal);

        await stop.CancelAsync();
        await Task.WhenAll(loops);
        await LeakGuard.Start(s_quick).VerifyNoneAsync(); // nothing new since a fresh start, and:
        await guard.VerifyNoneAsync();
    }

    [Fact]
    public async Task Timers_Delays_and_System_Timers_are_named_by_their_callback_or_awaiter()
    {
        using var stop = new CancellationTokenSource();
        var guard = LeakGuard.Start(s_quick);
        var timer = new Timer(OnTick, null, TimeSpan.FromHours(1), TimeSpan.FromHours(1));
        var elapsed = new System.Timers.Timer(TimeSpan.FromHours(1));
        elapsed.Elapsed += OnElapsed;
        elapsed.Start();
        var delay = DelayAsync(stop.Token);

        var owners = (await guard.FindLeaksAsync()).Timers.Select(g => (g.Owner, g.Kind)).ToList();
        string us = typeof(LeftoverKindTests).FullName!;
        Assert.Contains(($"{us}.{nameof(OnTick)}", "System.Threading.Timer"), owners);
        Assert.Contains(($"{us}.{nameof(OnElapsed)}", "System.Timers.Timer"), owners);
        Assert.Contains(($"{us}.{nameof(DelayAsync)}", "Task.Delay"), owners);

        await timer.DisposeAsync();
        elapsed.Dispose();
        await stop.CancelAsync();
        await delay;
        await guard.VerifyNoneAsync();
    }

    [Fact]
    public async Task A_timer_nobody_references_is_garbage_not_a_leak()
    {
        var guard = LeakGuard.Start(s_quick);
        StartAndDrop();
        // The guard collects before it reads: an unreferenced Timer is finalized and unscheduled.
        await guard.VerifyNoneAsync();

        static void StartAndDrop() => _ = new Timer(OnTick, null, TimeSpan.FromHours(1), TimeSpan.FromHours(1));
    }

    [Fact]
    public async Task Sockets_and_HTTP_client_connections_are_counted_by_port()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        int port = ((IPEndPoint)listener.LocalEndpoint).Port;
        var server = ServeOneResponsePerConnection(listener);

        var guard = LeakGuard.Start(s_quick);
        var client = new HttpClient();
        var response = await client.GetAsync(new Uri($"http://127.0.0.1:{port}/"), HttpCompletionOption.ResponseHeadersRead);

        var left = await guard.FindLeaksAsync();
        Assert.Equal([new HttpConnectionLeftover(port, 1)], left.HttpConnections);
        Assert.Equal(2, left.Sockets); // ours and the one the listener accepted
        Assert.Contains($"1 HTTP client connection(s) to port {port} open", left.Describe(), StringComparison.Ordinal);

        response.Dispose();
        client.Dispose();
        listener.Stop();
        await server;
        await guard.VerifyNoneAsync();
    }

    [Fact]
    public async Task Threads_are_counted_by_name_and_LongRunning_tasks_and_unnamed_pool_children_included()
    {
        using var release = new ManualResetEventSlim();
        var guard = LeakGuard.Start(s_quick);
        var named = new Thread(() => release.Wait()) { Name = "CacheWarmer", IsBackground = true };
        named.Start();
        var longRunning = Task.Factory.StartNew(() => release.Wait(), CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
        // A thread nobody named takes the name of the thread that started it: from the pool, ".NET TP Worker".
        var fromPool = await Task.Run(() =>
        {
            var thread = new Thread(() => release.Wait()) { IsBackground = true };
            thread.Start();
            return thread;
        });

        var threads = (await guard.FindLeaksAsync()).Threads;
        Assert.Contains(new ThreadLeftover("CacheWarmer", 1), threads);
        Assert.Contains(new ThreadLeftover(".NET Long Runni", 1), threads);
        Assert.Contains(new ThreadLeftover(ProcessThreads.StartedFromPoolName, 1), threads);

        release.Set();
        named.Join();
        fromPool.Join();
        await longRunning;
        await guard.VerifyNoneAsync();
    }

    [Fact]
    public async Task A_loop_still_winding_down_is_waited_for_within_the_settle_time_and_reported_after_it()
    {
        var guard = LeakGuard.Start(new LeakGuardOptions { SettleTimeout = TimeSpan.FromSeconds(5) });
        // Its last 300 ms are scheduled before this call returns: still running when verification starts, gone
        // 300 ms later. A pass, not goleak's classic flake. Timed from before the loop starts: a thread held up between
        // the two calls shortens the wait, not the time until verification returns.
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var windingDown = WindDownAsync(TimeSpan.FromMilliseconds(300));
        await guard.VerifyNoneAsync();
        Assert.True(clock.Elapsed >= TimeSpan.FromMilliseconds(280), $"verification returned {clock.Elapsed.TotalMilliseconds:0} ms after a 300 ms wind-down began");
        Assert.True(guard.LastVerificationTook < TimeSpan.FromSeconds(5), $"verification took {guard.LastVerificationTook}");
        await windingDown;

        using var never = new CancellationTokenSource();
        var stuck = RefreshLoopAsync(never.Token);
        var strict = LeakGuard.Start(new LeakGuardOptions { IgnoreCurrent = false, SettleTimeout = TimeSpan.FromMilliseconds(300) });
        var failure = await Assert.ThrowsAsync<LeakGuardException>(() => strict.VerifyNoneAsync());
        Assert.InRange(strict.LastVerificationTook, TimeSpan.FromMilliseconds(300), TimeSpan.FromSeconds(5));
        Assert.Contains(nameof(RefreshLoopAsync), failure.Message, StringComparison.Ordinal);
        await never.CancelAsync();
        await stuck;
    }

    [Fact]
    public async Task The_heap_is_checked_only_with_a_limit()
    {
        var kept = new List<byte[]>();
        var unlimited = LeakGuard.Start(s_quick);
        var limited = LeakGuard.Start(new LeakGuardOptions { SettleTimeout = TimeSpan.FromMilliseconds(200), HeapGrowthLimitBytes = 8L * 1024 * 1024 });
        for (int i = 0; i < 32; i++)
        {
            kept.Add(new byte[1024 * 1024]);
        }

        await unlimited.VerifyNoneAsync();
        var left = await limited.FindLeaksAsync();
        Assert.InRange(left.HeapGrowthBytes ?? 0, 16L * 1024 * 1024, 32L * 1024 * 1024);
        GC.KeepAlive(kept);
    }

    internal static void OnTick(object? state)
    {
    }

    private static void OnElapsed(object? sender, System.Timers.ElapsedEventArgs e)
    {
    }

    internal static async Task RefreshLoopAsync(CancellationToken stop)
    {
        using var ticker = new PeriodicTimer(TimeSpan.FromMinutes(1));
        try
        {
            while (await ticker.WaitForNextTickAsync(stop))
            {
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    private static async Task DelayAsync(CancellationToken stop)
    {
        try
        {
            await Task.Delay(TimeSpan.FromHours(1), stop);
        }
        catch (OperationCanceledException)
        {
        }
    }

    /// <summary>What a stopped loop does last (a flush, a final write): <paramref name="windDown"/> more, then nothing.</summary>
    private static async Task WindDownAsync(TimeSpan windDown) => await Task.Delay(windDown);

    private static async Task ServeOneResponsePerConnection(TcpListener listener)
    {
        var connections = new List<TcpClient>();
        try
        {
            while (true)
            {
                var connection = await listener.AcceptTcpClientAsync();
                connections.Add(connection);
                var stream = connection.GetStream();
                if (await stream.ReadAsync(new byte[4096]) == 0)
                {
                    continue; // closed before asking
                }

                await stream.WriteAsync("HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello"u8.ToArray());
            }
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
            // Stopped.
        }
        finally
        {
            connections.ForEach(c => c.Dispose());
        }
    }
}
