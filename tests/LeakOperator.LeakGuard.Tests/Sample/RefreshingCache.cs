namespace Sample;

/// <summary>A cache that refreshes itself every minute. Dispose is supposed to stop the refresh loop.</summary>
public sealed class RefreshingCache : IDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private readonly bool _stopsOnDispose;

    public RefreshingCache(bool stopsOnDispose)
    {
        _stopsOnDispose = stopsOnDispose;
        _ = RefreshLoopAsync(_stop.Token);
    }

    public void Dispose()
    {
        if (_stopsOnDispose)
        {
            _stop.Cancel(); // the fix: the loop's lifetime ends with the cache's
        }
    }

    private static async Task RefreshLoopAsync(CancellationToken stop)
    {
        using var ticker = new PeriodicTimer(TimeSpan.FromMinutes(1));
        try
        {
            while (await ticker.WaitForNextTickAsync(stop))
            {
                // refresh
            }
        }
        catch (OperationCanceledException)
        {
        }
    }
}
