using System.Net;
using System.Net.Sockets;

namespace LeakOperator.TestSupport;

/// <summary>Free loopback ports for servers the tests start.</summary>
public static class Ports
{
    public static int Free()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
