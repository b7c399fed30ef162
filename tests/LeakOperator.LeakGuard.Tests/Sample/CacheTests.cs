using LeakOperator.Diagnostics;
using LeakOperator.Diagnostics.Xunit;
using Xunit;

namespace Sample;

public class CacheTests
{
    [Fact]
    public void A_cache_that_forgets_to_stop_its_loop()
    {
        using var cache = new RefreshingCache(stopsOnDispose: false);
    }

    [Fact]
    public void A_cache_that_stops_its_loop()
    {
        using var cache = new RefreshingCache(stopsOnDispose: true);
    }

    [Fact]
    [AllowLeaks("demonstrates the leak on purpose")]
    public void A_leak_on_purpose()
    {
        _ = new RefreshingCache(stopsOnDispose: false);
    }

    [Fact]
    public async Task A_scope_guarded_by_hand()
    {
        await using var guard = LeakGuard.Start(options => options.SettleTimeout = TimeSpan.FromSeconds(5));
        using (new RefreshingCache(stopsOnDispose: true))
        {
        }

        await guard.VerifyNoneAsync();
    }
}
