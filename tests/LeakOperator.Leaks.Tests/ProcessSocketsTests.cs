using System.Net;
using System.Net.Sockets;
using LeakOperator.Diagnostics;

namespace LeakOperator.Leaks.Tests;

/// <summary>The lab's own /metrics connections are counted apart from the sockets a leak would leave.</summary>
public sealed class ProcessSocketsTests
{
    [Fact]
    public async Task Sockets_on_the_serving_port_are_counted_apart_and_a_client_socket_is_not()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        int port = ((IPEndPoint)listener.LocalEndpoint).Port;
        var (otherBefore, servingBefore) = ProcessSockets.Count(port);
        Assert.Equal(1, servingBefore);

        using var client = new TcpClient();
        await client.ConnectAsync(IPAddress.Loopback, port);
        using var accepted = await listener.AcceptTcpClientAsync();
        var (otherAfter, servingAfter) = ProcessSockets.Count(port);

        // The accepted connection has the serving port as its local port (like a scraper's keep-alive connection);
        // the client's end has an ephemeral one, as an HTTP leak's connections would.
        Assert.Equal(2, servingAfter);
        Assert.Equal(otherBefore + 1, otherAfter);
        Assert.Equal(otherAfter + servingAfter, ProcessSockets.Count(null).Other);
    }
}
