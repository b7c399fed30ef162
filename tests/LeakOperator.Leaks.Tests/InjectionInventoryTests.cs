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

    [Fact]
    public async Task An_injection_being_released_stays_listed_and_a_second_caller_awaits_the_same_release()
    {
        var inventory = new InjectionInventory();
        var (injection, leak) = HeldReleaseLeak.Create(new LeakOwner("test", "slow"), holding: 7);
        inventory.TryAdd(injection);

        var first = inventory.ReleaseAsync(injection.Owner);
        var second = inventory.ReleaseAsync(injection.Owner);
        await Eventually.True(() => leak.Releases == 1, "the release began");

        // Still listed (metrics show units being given back), still holding, and neither caller done.
        Assert.Same(injection, Assert.Single(inventory.Snapshot()));
        Assert.Equal(InjectionPhase.Releasing, injection.Phase);
        Assert.False(first.IsCompleted || second.IsCompleted);
        Assert.False(inventory.TryAdd(HeldReleaseLeak.Create(injection.Owner, holding: 1).Injection));

        leak.LetGo();

        Assert.Equal((7L, 7L), (await first, await second));
        Assert.Equal(1, leak.Releases);
        Assert.Equal(0, inventory.Count);
        Assert.Equal(0, injection.Ledger.Held);
    }

    [Fact]
    public async Task A_release_that_fails_still_forgets_the_injection_so_the_owner_can_start_again()
    {
        var inventory = new InjectionInventory();
        var owner = new LeakOwner("test", "failing");
        var (injection, leak) = HeldReleaseLeak.Create(owner, holding: 3);
        inventory.TryAdd(injection);

        var release = inventory.ReleaseAsync(owner);
        await Eventually.True(() => leak.Releases == 1, "the release began");
        leak.Fail();

        await Assert.ThrowsAsync<IOException>(() => release);
        Assert.Equal(0, inventory.Count);
        Assert.True(inventory.TryAdd(HeldReleaseLeak.Create(owner, holding: 1).Injection));
    }
}
