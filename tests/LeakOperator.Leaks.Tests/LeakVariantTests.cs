using LeakOperator.Diagnostics;
using LeakOperator.TestSupport;

namespace LeakOperator.Leaks.Tests;

public sealed class LeakVariantTests
{
    public static TheoryData<LeakType> Types => [LeakType.Memory, LeakType.Task, LeakType.HttpConn];

    [Theory]
    [MemberData(nameof(Types))]
    public async Task Leaky_grows_with_every_step_and_survives_a_full_GC(LeakType type)
    {
        await using var harness = new LeakHarness(type, LeakMode.Leaky);
        for (int step = 1; step <= 4; step++)
        {
            await harness.Leak.StepAsync(5, CancellationToken.None);
            FullGc.Collect();
            await Eventually.True(() => harness.Leak.MeasureLive() == 5 * step, $"{type} leaky holds {5 * step} units after step {step} and a full GC (has {harness.Leak.MeasureLive()})");
        }

        await harness.Leak.ReleaseAsync();
        await Eventually.True(() => harness.Leak.MeasureLive() == 0, "release gives every unit back");
        Assert.Equal(0, harness.Ledger.Held);
        Assert.Equal(20, harness.Ledger.Released);
    }

    [Theory]
    [MemberData(nameof(Types))]
    public async Task Safe_does_the_same_work_and_stays_flat(LeakType type)
    {
        await using var harness = new LeakHarness(type, LeakMode.Safe);
        var live = new List<long>();
        for (int step = 1; step <= 20; step++)
        {
            await harness.Leak.StepAsync(5, CancellationToken.None);
            FullGc.Collect();
            live.Add(harness.Leak.MeasureLive());
        }

        // Bounded by one step's worth (memory), one ticker (task), the pool's two connections (http) — never growing.
        long bound = type == LeakType.Memory ? 5 : 2;
        Assert.All(live, units => Assert.InRange(units, 1, bound));
        Assert.True(live[^1] <= live[4], $"{type} safe grew from {live[4]} to {live[^1]}");

        await harness.Leak.ReleaseAsync();
        Assert.Equal(0, harness.Leak.MeasureLive());
        Assert.Equal(0, harness.Ledger.Held);
    }

    [Fact]
    public async Task Leaky_timer_loops_keep_firing_after_a_full_GC()
    {
        await using var harness = new LeakHarness(LeakType.Task, LeakMode.Leaky, tickInterval: TimeSpan.FromMilliseconds(20));
        await harness.Leak.StepAsync(10, CancellationToken.None);
        FullGc.Collect();
        double ticks = harness.Leak.Evidence()["ticksDelivered"];

        await Eventually.True(() => harness.Leak.Evidence()["ticksDelivered"] >= ticks + 100, "10 unreferenced loops go on ticking");

        await harness.Leak.ReleaseAsync();
        double afterRelease = harness.Leak.Evidence()["ticksDelivered"];
        FullGc.Collect();
        Assert.Equal(0, harness.Leak.MeasureLive());
        Assert.True(harness.Leak.Evidence()["ticksDelivered"] <= afterRelease + 10, "released loops stop ticking");
    }

    [Fact]
    public async Task Safe_task_registers_one_ticker_per_owner_however_often_it_is_asked()
    {
        await using var harness = new LeakHarness(LeakType.Task, LeakMode.Safe);
        for (int step = 0; step < 10; step++)
        {
            await harness.Leak.StepAsync(50, CancellationToken.None);
        }

        var evidence = harness.Leak.Evidence();
        Assert.Equal(500, evidence["registrations"]);
        Assert.Equal(1, evidence["tickersStarted"]);
        Assert.Equal(1, harness.Leak.MeasureLive());
        Assert.Equal(1, harness.Ledger.Held);
    }

    [Fact]
    public async Task Leaky_http_connections_are_counted_open_at_both_ends()
    {
        await using var harness = new LeakHarness(LeakType.HttpConn, LeakMode.Leaky);
        await harness.Leak.StepAsync(6, CancellationToken.None);
        FullGc.Collect();

        await Eventually.True(() => harness.Leak.MeasureLive() == 6, "the sink sees 6 open connections");
        await Eventually.True(() => harness.Leak.Evidence()["clientOpenConnections"] == 6, "the client meter sees 6 open connections");

        await harness.Leak.ReleaseAsync();
        Assert.Equal(0, harness.Leak.MeasureLive());
        await Eventually.True(() => harness.Leak.Evidence()["clientOpenConnections"] == 0, "the client meter sees them closed");
    }
}
