using LeakOperator.Timing;
using Microsoft.Extensions.Time.Testing;

namespace LeakOperator.Timing.Tests;

public sealed class TickerRegistryTests
{
    private readonly FakeTimeProvider _time = new();

    [Fact]
    public void Registering_a_key_again_returns_the_same_ticker()
    {
        using var registry = new TickerRegistry<string>();
        var first = registry.GetOrStart("a", _ => NewTicker(), out bool startedFirst);
        var again = registry.GetOrStart("a", _ => NewTicker(), out bool startedAgain);

        Assert.Same(first, again);
        Assert.True(startedFirst);
        Assert.False(startedAgain);
        Assert.Equal(1, registry.Count);
    }

    [Fact]
    public async Task Many_threads_registering_one_key_start_exactly_one_ticker()
    {
        using var registry = new TickerRegistry<string>();
        int created = 0;
        int startedTrue = 0;
        using var go = new ManualResetEventSlim();
        var tickers = new SafeTicker[32];
        var threads = Enumerable.Range(0, tickers.Length).Select(i => Task.Run(() =>
        {
            go.Wait();
            tickers[i] = registry.GetOrStart("key", _ => { Interlocked.Increment(ref created); return NewTicker(); }, out bool started);
            if (started)
            {
                Interlocked.Increment(ref startedTrue);
            }
        })).ToArray();

        go.Set();
        await Task.WhenAll(threads);

        Assert.Equal(1, created);
        Assert.Equal(1, startedTrue);
        Assert.All(tickers, t => Assert.Same(tickers[0], t));
    }

    [Fact]
    public void Stop_closes_the_ticker_and_a_later_registration_starts_a_new_one()
    {
        using var registry = new TickerRegistry<string>();
        var first = registry.GetOrStart("a", _ => NewTicker(), out _);

        Assert.True(registry.Stop("a"));
        Assert.False(registry.Stop("a"));
        Assert.Equal(TickerState.Closed, first.State);
        Assert.Equal(0, registry.Count);

        var second = registry.GetOrStart("a", _ => NewTicker(), out bool started);
        Assert.True(started);
        Assert.NotSame(first, second);
    }

    [Fact]
    public void A_ticker_closed_by_its_owner_lifetime_is_replaced_on_the_next_registration()
    {
        using var registry = new TickerRegistry<string>();
        using var owner = new CancellationTokenSource();
        var first = registry.GetOrStart("a", _ => NewTicker(owner.Token), out _);

        owner.Cancel();
        Assert.False(registry.TryGet("a", out _));
        var second = registry.GetOrStart("a", _ => NewTicker(), out bool started);

        Assert.True(started);
        Assert.NotSame(first, second);
        Assert.Equal(TickerState.Running, second.State);
    }

    [Fact]
    public void Dispose_closes_every_ticker()
    {
        var registry = new TickerRegistry<int>();
        var tickers = Enumerable.Range(0, 5).Select(i => registry.GetOrStart(i, _ => NewTicker(), out _)).ToList();

        registry.Dispose();

        Assert.All(tickers, t => Assert.Equal(TickerState.Closed, t.State));
    }

    private SafeTicker NewTicker(CancellationToken lifetime = default) =>
        new(TimeSpan.FromSeconds(1), _ => { }, timeProvider: _time, lifetime: lifetime);
}
