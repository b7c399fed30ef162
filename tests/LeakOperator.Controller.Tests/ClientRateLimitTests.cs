using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using LeakOperator.Controller.Resources;

namespace LeakOperator.Controller.Tests;

/// <summary>
/// client-go's token bucket: a burst goes through at once, the rest at the refill rate, in arrival order. Only the lower
/// bound of the time is asserted (it cannot be beaten however fast the machine; a slow one only takes longer).
/// </summary>
public sealed class ClientRateLimitTests
{
    [Fact]
    public async Task A_burst_passes_at_once_and_the_rest_waits_for_the_refill_rate()
    {
        using var server = new LoopbackServer();
        using var limit = new ClientRateLimit(queriesPerSecond: 20, burst: 5);
        using var limited = new HttpClient(LimitedHandler(limit)) { BaseAddress = server.Url };

        var clock = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, 5).Select(_ => limited.GetStringAsync("/")));
        var burst = clock.Elapsed;
        await Task.WhenAll(Enumerable.Range(0, 20).Select(_ => limited.GetStringAsync("/")));
        var total = clock.Elapsed;

        // 20 requests past an empty bucket at 20 per second: at least 19 refills of 50 ms.
        Assert.True(total >= TimeSpan.FromMilliseconds(19 * 50 * 0.95), $"25 requests took {total.TotalMilliseconds:0} ms, the burst {burst.TotalMilliseconds:0} ms");
        // Most of the 20 wait (tokens refilled while this thread was held up between the two rounds let a few through).
        Assert.InRange(limit.Throttled, 10, 25);
        Assert.Equal(25, server.Served);
    }

    private static ClientRateLimit LimitedHandler(ClientRateLimit limit)
    {
        limit.InnerHandler = new SocketsHttpHandler();
        return limit;
    }

    /// <summary>A real loopback HTTP server that answers every request with "ok".</summary>
    private sealed class LoopbackServer : IDisposable
    {
        private readonly HttpListener _listener = new();
        private readonly Task _serving;
        private int _served;

        public LoopbackServer()
        {
            int port = FreePort();
            Url = new Uri($"http://127.0.0.1:{port}/");
            _listener.Prefixes.Add(Url.ToString());
            _listener.Start();
            _serving = Task.Run(ServeAsync);
        }

        public Uri Url { get; }

        public int Served => Volatile.Read(ref _served);

        public void Dispose()
        {
            _listener.Stop();
            _listener.Close();
            _serving.Wait(TimeSpan.FromSeconds(5));
        }

        private async Task ServeAsync()
        {
            try
            {
                while (true)
                {
                    var context = await _listener.GetContextAsync();
                    Interlocked.Increment(ref _served);
                    context.Response.OutputStream.Write("ok"u8);
                    context.Response.Close();
                }
            }
            catch (Exception e) when (e is HttpListenerException or ObjectDisposedException or InvalidOperationException)
            {
                // Stopped.
            }
        }

        private static int FreePort()
        {
            using var probe = new TcpListener(IPAddress.Loopback, 0);
            probe.Start();
            return ((IPEndPoint)probe.LocalEndpoint).Port;
        }
    }
}
