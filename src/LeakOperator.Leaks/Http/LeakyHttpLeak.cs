using LeakOperator.Diagnostics;
using LeakOperator.Leaks.Injections;

namespace LeakOperator.Leaks.Http;

/// <summary>
/// Leaky: a new HttpClient per step, each response read as a stream (<c>ResponseHeadersRead</c>), parked in a
/// static cache and never disposed. Each pins one connection until release.
/// </summary>
internal sealed class LeakyHttpLeak(UnitLedger ledger, LeakOwner owner, LoopbackSink sink) : ILeak
{
    public string Pattern => "undisposed-streamed-response";

    public async ValueTask StepAsync(int units, CancellationToken cancellationToken)
    {
        int granted = ledger.TryTake(units);
        for (int i = 0; i < granted; i++)
        {
            var client = new HttpClient();
            try
            {
                var response = await client.GetAsync(sink.Url, HttpCompletionOption.ResponseHeadersRead, cancellationToken).ConfigureAwait(false);
                LeakyResponseCache.Park(owner, client, response);
            }
            catch
            {
                client.Dispose();
                ledger.Refund(granted - i);
                throw;
            }
        }
    }

    public long MeasureLive() => sink.OpenConnections;

    public IReadOnlyDictionary<string, double> Evidence() => new Dictionary<string, double>
    {
        ["clientOpenConnections"] = HttpClientConnections.OpenTo(sink.Port),
        ["parkedResponses"] = LeakyResponseCache.Count(owner),
        ["sinkAcceptedConnections"] = sink.AcceptedConnections,
    };

    public async ValueTask ReleaseAsync()
    {
        ledger.Return(LeakyResponseCache.Evict(owner));
        await sink.DisposeAsync().ConfigureAwait(false);
    }
}
