using System.Diagnostics.CodeAnalysis;
using LeakOperator.Diagnostics;
using LeakOperator.Leaks.Injections;

namespace LeakOperator.Leaks.Http;

/// <summary>
/// Safe: the same requests through one shared SocketsHttpHandler (bounded pool, recycled connections), every body
/// read and every response disposed, so connections go back to the pool and are reused.
/// </summary>
[SuppressMessage("Design", "CA1001:Types that own disposable fields should be disposable", Justification = "ReleaseAsync is this leak's disposal; the Injection that owns it always calls it.")]
internal sealed class SafeHttpLeak : ILeak
{
    private readonly UnitLedger _ledger;
    private readonly LoopbackSink _sink;
    private readonly HttpClient _client;
    private long _requests;

    public SafeHttpLeak(UnitLedger ledger, LoopbackSink sink)
    {
        _ledger = ledger;
        _sink = sink;
        _client = new HttpClient(new SocketsHttpHandler
        {
            PooledConnectionLifetime = TimeSpan.FromMinutes(2),
            PooledConnectionIdleTimeout = TimeSpan.FromSeconds(30),
            MaxConnectionsPerServer = 2,
        });
    }

    public string Pattern => "shared-pool-disposed-response";

    public async ValueTask StepAsync(int units, CancellationToken cancellationToken)
    {
        for (int i = 0; i < units; i++)
        {
            // A unit is held only while its request is in flight.
            if (_ledger.TryTake(1) == 0)
            {
                return;
            }

            try
            {
                using var response = await _client.GetAsync(_sink.Url, HttpCompletionOption.ResponseHeadersRead, cancellationToken).ConfigureAwait(false);
                await response.Content.CopyToAsync(Stream.Null, cancellationToken).ConfigureAwait(false);
                Interlocked.Increment(ref _requests);
            }
            finally
            {
                _ledger.Return(1);
            }
        }
    }

    public long MeasureLive() => _sink.OpenConnections;

    public IReadOnlyDictionary<string, double> Evidence() => new Dictionary<string, double>
    {
        ["clientOpenConnections"] = HttpClientConnections.OpenTo(_sink.Port),
        ["requests"] = Interlocked.Read(ref _requests),
        ["sinkAcceptedConnections"] = _sink.AcceptedConnections,
    };

    public async ValueTask ReleaseAsync()
    {
        _client.Dispose();
        await _sink.DisposeAsync().ConfigureAwait(false);
    }
}
