using System.Collections.Concurrent;
using System.Diagnostics.CodeAnalysis;

namespace LeakOperator.Timing;

/// <summary>
/// At most one ticker per key: the idempotent registration of the write-up's fix. Asking again for a key that
/// already has a live ticker returns that ticker; it never starts a second one.
/// </summary>
public sealed class TickerRegistry<TKey> : IDisposable
    where TKey : notnull
{
    // Lazy values: two threads racing GetOrAdd for one key may both insert-attempt, but only the Lazy that wins the
    // dictionary slot is ever evaluated, so the losing thread never creates (and leaks) a ticker.
    private readonly ConcurrentDictionary<TKey, Lazy<SafeTicker>> _tickers = new();

    /// <summary>Live tickers (closed ones are pruned as they are met).</summary>
    public int Count
    {
        get
        {
            int live = 0;
            foreach (var entry in _tickers)
            {
                if (entry.Value.IsValueCreated && entry.Value.Value.State != TickerState.Closed)
                {
                    live++;
                }
            }

            return live;
        }
    }

    /// <summary>Returns the key's live ticker, starting one with <paramref name="start"/> only if there is none.</summary>
    public SafeTicker GetOrStart(TKey key, Func<TKey, SafeTicker> start, out bool started)
    {
        while (true)
        {
            var candidate = new Lazy<SafeTicker>(() => start(key), LazyThreadSafetyMode.ExecutionAndPublication);
            var winner = _tickers.GetOrAdd(key, candidate);
            var ticker = winner.Value;
            if (ticker.State != TickerState.Closed)
            {
                started = ReferenceEquals(winner, candidate);
                return ticker;
            }

            // Closed by its lifetime token or by Dispose: drop exactly that entry (not a newer one) and try again.
            _tickers.TryRemove(new KeyValuePair<TKey, Lazy<SafeTicker>>(key, winner));
        }
    }

    /// <summary>The key's ticker if it has one that is not closed.</summary>
    public bool TryGet(TKey key, [NotNullWhen(true)] out SafeTicker? ticker)
    {
        ticker = _tickers.TryGetValue(key, out var entry) && entry.IsValueCreated && entry.Value.State != TickerState.Closed
            ? entry.Value
            : null;
        return ticker is not null;
    }

    /// <summary>Closes and forgets the key's ticker. True if there was one.</summary>
    public bool Stop(TKey key)
    {
        if (!_tickers.TryRemove(key, out var entry))
        {
            return false;
        }

        entry.Value.Dispose();
        return true;
    }

    public void Dispose()
    {
        foreach (var key in _tickers.Keys)
        {
            Stop(key);
        }
    }
}
