using LeakOperator.Leaks;
using LeakOperator.Leaks.Injections;
using LeakOperator.Operator;
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
}
