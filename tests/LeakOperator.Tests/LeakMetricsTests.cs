using LeakOperator.Instrumentation;
using LeakOperator.Leaks;
using LeakOperator.Leaks.Injections;
using LeakOperator.TestSupport;
using Prometheus;

namespace LeakOperator.Tests;

public sealed class LeakMetricsTests
{
    [Fact]
    public async Task Injections_are_published_while_they_live_and_removed_when_they_go()
    {
        var registry = Metrics.NewCustomRegistry();
        var inventory = new InjectionInventory();
        _ = new LeakMetrics(registry, inventory);
        var factory = new InjectionFactory(new LeakBudget(new LeakBudgetLimits()));
        var injection = factory.Create(new LeakOwner("team-a", "mem-1"), InjectionSpec.Default(LeakType.Memory, LeakMode.Leaky) with { RatePerSecond = 40 });
        inventory.TryAdd(injection);
        injection.Start();
        await Eventually.True(() => injection.Ledger.Injected >= 3, "the injection creates units");

        string live = await Scrape(registry);
        Assert.Matches("leakoperator_leaked_units\\{leak_type=\"memory\",mode=\"leaky\",namespace=\"team-a\",name=\"mem-1\"\\} [1-9]", live);
        Assert.Contains("leakoperator_injected_units_total{leak_type=\"memory\",mode=\"leaky\",namespace=\"team-a\",name=\"mem-1\"}", live, StringComparison.Ordinal);
        Assert.Contains("leakoperator_gc_heap_bytes", live, StringComparison.Ordinal);

        Assert.NotNull(await inventory.ReleaseAsync(injection.Owner));
        string after = await Scrape(registry);
        Assert.DoesNotContain("name=\"mem-1\"", after, StringComparison.Ordinal);
    }

    private static async Task<string> Scrape(CollectorRegistry registry)
    {
        using var stream = new MemoryStream();
        await registry.CollectAndExportAsTextAsync(stream);
        return System.Text.Encoding.UTF8.GetString(stream.ToArray());
    }
}
