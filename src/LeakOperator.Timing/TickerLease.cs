namespace LeakOperator.Timing;

/// <summary>
/// One counted reference to a shared <see cref="SafeTicker"/>. Disposing it gives the reference back exactly
/// once, however many threads dispose it; the last reference given back closes the ticker.
/// </summary>
public sealed class TickerLease : IDisposable
{
    private SafeTicker? _ticker;

    internal TickerLease(SafeTicker ticker) => _ticker = ticker;

    /// <summary>The leased ticker, or null once this lease was given back.</summary>
    public SafeTicker? Ticker => Volatile.Read(ref _ticker);

    public void Dispose()
    {
        // Exchange, not a read-then-write: two threads disposing one lease must not give its reference back twice,
        // or the count would reach zero while another lease still holds the ticker.
        Interlocked.Exchange(ref _ticker, null)?.ReleaseReference();
    }
}
