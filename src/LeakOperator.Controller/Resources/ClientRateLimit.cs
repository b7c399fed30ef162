using System.Threading.RateLimiting;

namespace LeakOperator.Controller.Resources;

/// <summary>
/// client-go's client-side rate limiter (<c>rest.Config.QPS</c> / <c>Burst</c>, flowcontrol's token bucket): every
/// request to the API server waits for a token; the bucket holds <c>burst</c> tokens and refills at <c>qps</c> per
/// second. A watch takes one token when it starts, as in client-go. controller-runtime's defaults are 20 / 30; ours is
/// off unless <c>--client-qps</c> is set, because the storm it reproduces is about what the server sees.
/// </summary>
public sealed class ClientRateLimit : DelegatingHandler
{
    private readonly TokenBucketRateLimiter _bucket;
    private readonly Action? _onThrottled;
    private long _throttled;

    /// <param name="queriesPerSecond">Tokens added per second (client-go's QPS).</param>
    /// <param name="burst">Tokens the bucket holds, spent at once after a quiet spell (client-go's Burst).</param>
    /// <param name="onThrottled">Called for each request that has to wait (a metric).</param>
    public ClientRateLimit(double queriesPerSecond, int burst, Action? onThrottled = null)
    {
        _onThrottled = onThrottled;
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(queriesPerSecond);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(burst);

        // One token per 1/qps: the same average as client-go's continuous refill, at a millisecond's granularity.
        var period = TimeSpan.FromSeconds(1 / queriesPerSecond);
        int tokensPerPeriod = 1;
        if (period < TimeSpan.FromMilliseconds(1))
        {
            tokensPerPeriod = (int)Math.Ceiling(queriesPerSecond / 1000);
            period = TimeSpan.FromMilliseconds(1);
        }

        QueriesPerSecond = queriesPerSecond;
        Burst = burst;
        _bucket = new TokenBucketRateLimiter(new TokenBucketRateLimiterOptions
        {
            TokenLimit = burst,
            TokensPerPeriod = tokensPerPeriod,
            ReplenishmentPeriod = period,
            AutoReplenishment = true,
            // client-go's Wait blocks every caller in arrival order, without a limit.
            QueueLimit = int.MaxValue,
            QueueProcessingOrder = QueueProcessingOrder.OldestFirst,
        });
    }

    public double QueriesPerSecond { get; }

    public int Burst { get; }

    /// <summary>Requests that had to wait for a token, since start.</summary>
    public long Throttled => Interlocked.Read(ref _throttled);

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        using var lease = _bucket.AttemptAcquire();
        if (lease.IsAcquired)
        {
            return await base.SendAsync(request, cancellationToken).ConfigureAwait(false);
        }

        Interlocked.Increment(ref _throttled);
        _onThrottled?.Invoke();
        using var waited = await _bucket.AcquireAsync(1, cancellationToken).ConfigureAwait(false);
        return await base.SendAsync(request, cancellationToken).ConfigureAwait(false);
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _bucket.Dispose();
        }

        base.Dispose(disposing);
    }
}
