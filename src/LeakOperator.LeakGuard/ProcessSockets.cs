using System.Globalization;

namespace LeakOperator.Diagnostics;

/// <summary>
/// The sockets this process holds (Linux: <c>/proc/self/fd</c> entries that are sockets), split into the ones on a
/// serving port — its listener and the connections accepted on it, such as a Prometheus scraper's keep-alive
/// connection — and all the others. A process that serves its own /metrics must not count its scraper as a leak.
/// </summary>
public static class ProcessSockets
{
    /// <summary>Counts open sockets; <paramref name="servingPort"/> names the local TCP port whose sockets are counted
    /// apart. Both counts are -1 where <c>/proc</c> is missing.</summary>
    public static (int Other, int Serving) Count(int? servingPort)
    {
        const string fds = "/proc/self/fd";
        if (!Directory.Exists(fds))
        {
            return (-1, -1);
        }

        var inodes = new List<long>();
        foreach (var fd in Directory.EnumerateFiles(fds))
        {
            try
            {
                if (new FileInfo(fd).LinkTarget is { } target && target.StartsWith("socket:[", StringComparison.Ordinal)
                    && long.TryParse(target.AsSpan(8, target.Length - 9), NumberStyles.None, CultureInfo.InvariantCulture, out long inode))
                {
                    inodes.Add(inode);
                }
            }
            catch (IOException)
            {
                // The descriptor closed while we looked: it is not open.
            }
        }

        if (servingPort is not { } port)
        {
            return (inodes.Count, 0);
        }

        var onPort = InodesOnLocalPort(port);
        int serving = inodes.Count(onPort.Contains);
        return (inodes.Count - serving, serving);
    }

    /// <summary>
    /// Socket inodes whose local TCP port is <paramref name="port"/>, from <c>/proc/self/net/tcp</c> and <c>tcp6</c>
    /// (the network namespace's table: joined with our own descriptors by inode, so other processes never count).
    /// </summary>
    private static HashSet<long> InodesOnLocalPort(int port)
    {
        var found = new HashSet<long>();
        foreach (var table in new[] { "/proc/self/net/tcp", "/proc/self/net/tcp6" })
        {
            IEnumerable<string> lines;
            try
            {
                lines = File.ReadLines(table).Skip(1).ToList();
            }
            catch (IOException)
            {
                continue;
            }

            foreach (var line in lines)
            {
                // "  sl  local_address rem_address   st tx_queue:rx_queue tr:tm->when retrnsmt   uid  timeout inode …"
                var fields = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
                if (fields.Length < 10)
                {
                    continue;
                }

                string local = fields[1];
                int colon = local.LastIndexOf(':');
                if (colon > 0 && int.TryParse(local.AsSpan(colon + 1), NumberStyles.HexNumber, CultureInfo.InvariantCulture, out int localPort)
                    && localPort == port && long.TryParse(fields[9], NumberStyles.None, CultureInfo.InvariantCulture, out long inode))
                {
                    found.Add(inode);
                }
            }
        }

        return found;
    }
}
