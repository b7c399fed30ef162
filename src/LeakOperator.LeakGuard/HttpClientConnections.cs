using System.Collections.Concurrent;
using System.Diagnostics.Metrics;

namespace LeakOperator.Diagnostics;

/// <summary>
/// The client side of "open connections", from the runtime's own <c>System.Net.Http</c> meter
/// (<c>http.client.open_connections</c>). The meter reports changes only while someone listens, so
/// <see cref="Start"/> must run at process start, before the first HttpClient connects.
/// </summary>
public static class HttpClientConnections
{
    private static readonly ConcurrentDictionary<int, long> s_openByPort = new();
    private static MeterListener? s_listener;

    /// <summary>Starts listening (idempotent).</summary>
    public static void Start()
    {
        var listener = new MeterListener
        {
            InstrumentPublished = static (instrument, listener) =>
            {
                if (instrument.Meter.Name == "System.Net.Http" && instrument.Name == "http.client.open_connections")
                {
                    listener.EnableMeasurementEvents(instrument);
                }
            },
        };
        listener.SetMeasurementEventCallback<long>(OnMeasurement);

        // Exchange: of two racing starters exactly one listener survives.
        if (Interlocked.CompareExchange(ref s_listener, listener, null) is null)
        {
            listener.Start();
        }
        else
        {
            listener.Dispose();
        }
    }

    /// <summary>Whether <see cref="Start"/> has run.</summary>
    public static bool Listening => Volatile.Read(ref s_listener) is not null;

    /// <summary>Open client connections (active and idle) to a loopback port.</summary>
    public static long OpenTo(int port) => s_openByPort.TryGetValue(port, out long open) ? open : 0;

    /// <summary>Open client connections to any port.</summary>
    public static long OpenTotal => s_openByPort.Values.Sum();

    /// <summary>Open client connections by server port, at this moment.</summary>
    public static IReadOnlyDictionary<int, long> OpenByPort() => new Dictionary<int, long>(s_openByPort);

    private static void OnMeasurement(Instrument instrument, long change, ReadOnlySpan<KeyValuePair<string, object?>> tags, object? state)
    {
        foreach (var tag in tags)
        {
            if (tag.Key == "server.port" && tag.Value is int port)
            {
                s_openByPort.AddOrUpdate(port, change, (_, open) => open + change);
                return;
            }
        }
    }
}
