using LeakOperator.Leaks.Injections;
using LeakOperator.TestSupport;

namespace LeakOperator.Leaks.Tests;

/// <summary>The inventory is where an injection is let go: released once, however many ask, then forgotten.</summary>
public sealed class InjectionInventoryTests
{
    private static readonly LeakBudget s_roomy = new(new LeakBudgetLimits(MemoryMiB: 4096, TimerLoops: 100_000, Connections: 1000));

    [Fact]
    public async Task Releasing_an_owner_gives_back_what_it_held_and_forgets_it()
    {
        var inventory = new InjectionInventory();
        var injection = new InjectionFactory(s_roomy).Create(new LeakOwner("test", "held"), InjectionSpec.Default(LeakType.Memory, LeakMode.Leaky) with { RatePerSecond = 40 });
        Assert.True(inventory.TryAdd(injection));
        Assert.False(inventory.TryAdd(injection));
        injection.Start();
        await Eventually.True(() => injection.Ledger.Held >= 3, "the injection holds a few units");
        long heldBefore = injection.Ledger.Held;

        long? held = await inventory.ReleaseAsync(injection.Owner);

        Assert.InRange(held!.Value, heldBefore, long.MaxValue);
        Assert.Equal(InjectionPhase.Completed, injection.Phase);
        Assert.Equal(0, injection.Ledger.Held);
        Assert.Equal(0, inventory.Count);
        Assert.Null(await inventory.ReleaseAsync(injection.Owner));
    }

    [Fact]
    public async Task Concurrent_releases_of_one_owner_share_its_one_release_and_report_the_same_units()
    {
        var inventory = new InjectionInventory();
        var injection = new InjectionFactory(s_roomy).Create(new LeakOwner("test", "raced"), InjectionSpec.Default(LeakType.Task, LeakMode.Leaky) with { RatePerSecond = 100 });
        inventory.TryAdd(injection);
        injection.Start();
        await Eventually.True(() => injection.Ledger.Held >= 5, "the injection holds a few loops");

        var results = await Task.WhenAll(Enumerable.Range(0, 16).Select(_ => Task.Run(() => inventory.ReleaseAsync(injection.Owner))));

        // Each caller that found the injection awaited the same release: one count, however the 16 interleaved; those
        // that came after it was forgotten found nothing.
        var counts = results.Where(r => r is not null).Distinct().ToList();
        Assert.True(counts.Count == 1 && counts[0] >= 5, $"counts reported: {string.Join(", ", results)}");
        Assert.Equal(0, injection.Ledger.Held);
        Assert.Equal(0, inventory.Count);
    }
}
