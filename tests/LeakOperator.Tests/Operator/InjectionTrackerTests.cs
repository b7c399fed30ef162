using LeakOperator.Leaks;
using LeakOperator.Leaks.Injections;
using LeakOperator.Operator;
using LeakOperator.TestSupport;
using LeakOperator.Timing;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace LeakOperator.Tests.Operator;

/// <summary>
/// The tracker keeps the inventory (what metrics read) in step with what runs, and all it tracks share one
/// sampling ticker: 200 LeakTests cost one timer, and none are left once they are released.
/// </summary>
public sealed class InjectionTrackerTests
{
    [Fact]
    public async Task Every_started_injection_is_in_the_inventory_on_one_shared_sampler_until_it_is_released()
    {
        var time = new FakeTimeProvider();
        var inventory = new InjectionInventory();
        var tracker = new InjectionTracker(new InjectionFactory(new LeakBudget(new LeakBudgetLimits()), time), inventory, time, NullLogger<InjectionTracker>.Instance);
        var owners = Enumerable.Range(0, 200).Select(i => new LeakOwner("team-a", $"t-{i}")).ToList();

        foreach (var owner in owners)
        {
            await tracker.StartAsync(owner, InjectionSpec.Default(LeakType.Memory, LeakMode.Safe), generation: 1, uid: owner.Name, reconcileAgain: () => { }, reconcileDirectly: null);
        }

        Assert.Equal(200, tracker.Count);
        Assert.Equal(200, inventory.Count);
        Assert.Equal(200, tracker.Sampler.Members);
        Assert.NotNull(tracker.Sampler.Ticker);

        Assert.NotNull(await tracker.ReleaseAsync(owners[0]));
        Assert.Null(await tracker.ReleaseAsync(owners[0]));
        Assert.False(inventory.TryGet(owners[0], out _));
        Assert.Equal(199, inventory.Count);

        Assert.Equal(199, await tracker.ReleaseAllAsync());
        Assert.Equal(0, inventory.Count);
        Assert.Equal(0, tracker.Count);
        Assert.Null(tracker.Sampler.Ticker);
    }

    [Fact]
    public async Task Starting_an_owner_the_inventory_already_has_is_refused_loudly()
    {
        var time = new FakeTimeProvider();
        var inventory = new InjectionInventory();
        var factory = new InjectionFactory(new LeakBudget(new LeakBudgetLimits()), time);
        var owner = new LeakOwner("team-a", "twice");
        inventory.TryAdd(factory.Create(owner, InjectionSpec.Default(LeakType.Memory, LeakMode.Safe)));
        var tracker = new InjectionTracker(factory, inventory, time, NullLogger<InjectionTracker>.Instance);

        await Assert.ThrowsAsync<InvalidOperationException>(
            () => tracker.StartAsync(owner, InjectionSpec.Default(LeakType.Memory, LeakMode.Safe), 1, "uid", () => { }, null));
        Assert.Equal(0, tracker.Count);
    }

    [Fact]
    public async Task A_refused_second_start_leaves_the_live_injection_of_that_owner_running()
    {
        // A safe task injection keeps its one ticker in the factory's per-owner registry: the refused start must not
        // close it (releasing a refused injection would have: a leak's release acts on its owner's ticker).
        var factory = new InjectionFactory(new LeakBudget(new LeakBudgetLimits()));
        var tracker = new InjectionTracker(factory, new InjectionInventory(), TimeProvider.System, NullLogger<InjectionTracker>.Instance);
        var owner = new LeakOwner("team-a", "live");
        var spec = InjectionSpec.Default(LeakType.Task, LeakMode.Safe);
        var live = await tracker.StartAsync(owner, spec, generation: 1, uid: "uid-1", reconcileAgain: () => { }, reconcileDirectly: null);
        await Eventually.True(() => factory.Tickers.TryGet(owner, out _), "the live injection started its ticker");

        await Assert.ThrowsAsync<InvalidOperationException>(
            () => tracker.StartAsync(owner, spec, generation: 2, uid: "uid-2", reconcileAgain: () => { }, reconcileDirectly: null));

        // Closed (or gone from the registry) if the refused start had released its leak.
        Assert.Equal(TickerState.Running, factory.Tickers.TryGet(owner, out var ticker) ? ticker.State : TickerState.Closed);
        Assert.Equal(1, live.Injection.Ledger.Held);

        Assert.Equal(1, await tracker.ReleaseAsync(owner));
        Assert.False(factory.Tickers.TryGet(owner, out _));
    }

    [Fact]
    public async Task A_second_release_of_an_owner_awaits_the_first_and_reports_its_count()
    {
        // What FinalizeAsync, a force release and a restart rely on: when ReleaseAsync returns, the units are given back,
        // whoever started the release.
        var factory = new InjectionFactory(new LeakBudget(new LeakBudgetLimits()));
        var tracker = new InjectionTracker(factory, new InjectionInventory(), TimeProvider.System, NullLogger<InjectionTracker>.Instance);
        var owner = new LeakOwner("team-a", "released-twice");
        var tracked = await tracker.StartAsync(
            owner, InjectionSpec.Default(LeakType.Task, LeakMode.Leaky) with { RatePerSecond = 200 }, 1, "uid", () => { }, null);
        await Eventually.True(() => tracked.Injection.Ledger.Held >= 20, "the injection holds a few loops");

        var first = tracker.ReleaseAsync(owner);
        var second = tracker.ReleaseAsync(owner);
        long?[] counts = [await first, await second];

        Assert.True(counts[0] >= 20 && counts[1] == counts[0], $"counts: {counts[0]}, {counts[1]}");
        Assert.Equal(0, tracked.Injection.Ledger.Held);
        Assert.Null(await tracker.ReleaseAsync(owner));
    }
}
