using System.Net;
using System.Net.Sockets;
using System.Text;

namespace LeakOperator.Leaks.Http;

/// <summary>
/// The only server the HTTP leak ever talks to: a tiny HTTP/1.1 keep-alive server on 127.0.0.1 that this process
/// owns. No target URL comes from users, so the leak cannot be aimed at anything else. It counts connections from
/// its own end, the server side of "open connections".
/// </summary>
public sealed class LoopbackSink : IAsyncDisposable
{
    private const int BodyBytes = 1024;
    private static readonly byte[] s_response = BuildResponse();

    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly CancellationTokenSource _stopping = new();
    private readonly List<Task> _connections = [];
    private readonly Lock _gate = new();
    private readonly Task _acceptLoop;
    private long _open;
    private long _accepted;
    private long _requests;

    public LoopbackSink()
    {
        _listener.Start(backlog: 1024);
        Port = ((IPEndPoint)_listener.LocalEndpoint).Port;
        Url = new Uri($"http://127.0.0.1:{Port}/sink");
        _acceptLoop = AcceptLoopAsync();
    }

    public int Port { get; }

    public Uri Url { get; }

    /// <summary>Connections accepted and not yet closed.</summary>
    public long OpenConnections => Interlocked.Read(ref _open);

    public long AcceptedConnections => Interlocked.Read(ref _accepted);

    public long Requests => Interlocked.Read(ref _requests);

    /// <summary>Stops listening and closes every connection it still has; returns when all are closed.</summary>
    public async ValueTask DisposeAsync()
    {
        if (_stopping.IsCancellationRequested)
        {
            return;
        }

        await _stopping.CancelAsync().ConfigureAwait(false);
        _listener.Stop();
        await _acceptLoop.ConfigureAwait(false);
        Task[] connections;
        lock (_gate)
        {
            connections = [.. _connections];
        }

        await Task.WhenAll(connections).ConfigureAwait(false);
        _stopping.Dispose();
    }

    private static byte[] BuildResponse()
    {
        string head = $"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: {BodyBytes}\r\n\r\n";
        return [.. Encoding.ASCII.GetBytes(head), .. Enumerable.Repeat((byte)'x', BodyBytes)];
    }

    private async Task AcceptLoopAsync()
    {
        while (!_stopping.IsCancellationRequested)
        {
            Socket socket;
            try
            {
                socket = await _listener.AcceptSocketAsync(_stopping.Token).ConfigureAwait(false);
            }
            catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
            {
                return;
            }

            Interlocked.Increment(ref _accepted);
            Interlocked.Increment(ref _open);
            lock (_gate)
            {
                _connections.RemoveAll(task => task.IsCompleted);
                _connections.Add(ServeAsync(socket));
            }
        }
    }

    private async Task ServeAsync(Socket socket)
    {
        var buffer = new byte[4096];
        try
        {
            int seen = 0;
            while (true)
            {
                int read = await socket.ReceiveAsync(buffer.AsMemory(seen), SocketFlags.None, _stopping.Token).ConfigureAwait(false);
                if (read == 0)
                {
                    return;
                }

                seen += read;
                int end = buffer.AsSpan(0, seen).IndexOf("\r\n\r\n"u8);
                if (end < 0)
                {
                    if (seen == buffer.Length)
                    {
                        return;
                    }

                    continue;
                }

                // One GET without a body per request; anything after the blank line is the next request.
                int consumed = end + 4;
                buffer.AsSpan(consumed, seen - consumed).CopyTo(buffer);
                seen -= consumed;
                Interlocked.Increment(ref _requests);
                await socket.SendAsync(s_response, SocketFlags.None, _stopping.Token).ConfigureAwait(false);
            }
        }
        catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
        {
            // The client went away or the sink is stopping: either way the connection is over.
        }
        finally
        {
            socket.Dispose();
            Interlocked.Decrement(ref _open);
        }
    }
}
