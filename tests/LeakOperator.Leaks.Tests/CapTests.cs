using LeakOperator.Diagnostics;
using LeakOperator.Leaks.Injections;
using LeakOperator.TestSupport;

namespace LeakOperator.Leaks.Tests;

public sealed class CapTests
{
    private static readonly LeakBudget s_roomy = new(new LeakBudgetLimits(MemoryMiB: 4096, TimerLoops: 100_000, Connections: 1000));

    [Theory]
    [InlineData(LeakType.Memory, 40)]
    [InlineData(LeakType.Task, 300)]
    [InlineData(LeakType.HttpConn, 25)]
    public async Task An_absurd_rate_never_exceeds_maxUnits(LeakType type, long maxUnits)
    {
        var factory = new InjectionFactory(s_roomy);
        var spec = InjectionSpec.Default(type, LeakMode.Leaky) with { RatePerSecond = 1_000_000, MaxUnits = maxUnits };
        await using var injection = factory.Create(new LeakOwner("test", $"absurd-{type}"), spec);

        injection.Start();
        await Eventually.True(() => injection.Ledger.Denied > 0, "the cap engages");
        long denied = injection.Ledger.Denied;
        await Eventually.True(() => injection.Ledger.Denied > denied, "further steps are refused too");
        FullGc.Collect();

        Assert.Equal(maxUnits, injection.Ledger.Held);
        Assert.Equal(maxUnits, injection.MeasureLive());
        Assert.Contains("maxUnits", injection.Ledger.CapReason, StringComparison.Ordinal);
        Assert.Equal(0, injection.StepFaults);
    }

    [Theory]
    [InlineData(LeakType.Memory)]
    [InlineData(LeakType.Task)]
    [InlineData(LeakType.HttpConn)]
    public async Task A_cap_of_zero_injects_nothing(LeakType type)
    {
        var factory = new InjectionFactory(s_roomy);
        await using var injection = factory.Create(new LeakOwner("test", $"zero-{type}"), InjectionSpec.Default(type, LeakMode.Leaky) with { MaxUnits = 0, RatePerSecond = 1000 });

        injection.Start();
        await Eventually.True(() => injection.Ledger.Denied > 0, "the zero cap refuses");

        Assert.Equal(0, injection.Ledger.Injected);
        Assert.Equal(0, injection.MeasureLive());
    }

    [Fact]
    public async Task The_operator_wide_budget_holds_across_injections()
    {
        var budget = new LeakBudget(new LeakBudgetLimits(MemoryMiB: 30, TimerLoops: 50, Connections: 10));
        var factory = new InjectionFactory(budget);
        var injections = Enumerable.Range(0, 4)
            .Select(i => factory.Create(new LeakOwner("test", $"budget-{i}"), InjectionSpec.Default(LeakType.Task, LeakMode.Leaky) with { RatePerSecond = 1_000_000, MaxUnits = 100 }))
            .ToList();
        try
        {
            injections.ForEach(i => i.Start());
            string Ledgers() => string.Join(
                "; ",
                injections.Select(i =>
                    $"{i.Owner.Name}: held {i.Ledger.Held}, denied {i.Ledger.Denied}, live {i.MeasureLive()}, faults {i.StepFaults} {i.LastFault}"));
            await Eventually.True(() => injections.All(i => i.Ledger.Denied > 0), () => $"every injection meets the budget ({Ledgers()})");
            FullGc.Collect();

            Assert.True(injections.Sum(i => i.MeasureLive()) == 50, Ledgers());
            Assert.True(budget.Held(LeakType.Task) == 50, $"budget holds {budget.Held(LeakType.Task)}: {Ledgers()}");
            Assert.Contains(injections, i => i.Ledger.CapReason?.Contains("operator-wide task budget of 50", StringComparison.Ordinal) == true);
        }
        finally
        {
            await Task.WhenAll(injections.Select(i => i.ReleaseAsync()));
        }

        Assert.Equal(0, budget.Held(LeakType.Task));
    }

    [Fact]
    public void The_cap_reason_names_the_budget_whenever_the_budget_refused_what_maxUnits_allowed()
    {
        var budget = new LeakBudget(new LeakBudgetLimits(TimerLoops: 50));
        var other = new UnitLedger(LeakType.Task, maxUnits: 100, budget);
        var ledger = new UnitLedger(LeakType.Task, maxUnits: 100, budget);
        Assert.Equal(43, ledger.TryTake(43));
        Assert.Equal(7, other.TryTake(7));

        // 100 wanted: maxUnits allows 57 more, the budget none. Raising maxUnits would not help, so the budget is named.
        Assert.Equal(0, ledger.TryTake(100));
        Assert.Equal("operator-wide task budget of 50 reached", ledger.CapReason);

        var roomy = new UnitLedger(LeakType.Memory, maxUnits: 5, budget);
        Assert.Equal(5, roomy.TryTake(10));
        Assert.Equal("maxUnits 5 reached", roomy.CapReason);
    }

    [Fact]
    public async Task A_ledger_taken_from_many_threads_never_passes_its_cap()
    {
        var budget = new LeakBudget(new LeakBudgetLimits(TimerLoops: 1_000));
        var ledger = new UnitLedger(LeakType.Task, maxUnits: 700, budget);
        int overCap = 0;
        var workers = Enumerable.Range(0, 16).Select(seed => Task.Run(() =>
        {
            var random = new Random(seed);
            for (int i = 0; i < 20_000; i++)
            {
                int got = ledger.TryTake(random.Next(1, 50));
                if (ledger.Held > 700 || budget.Held(LeakType.Task) > 1_000)
                {
                    Interlocked.Increment(ref overCap);
                }

                ledger.Return(got);
            }
        }));

        await Task.WhenAll(workers);

        Assert.Equal(0, overCap);
        Assert.Equal(0, ledger.Held);
        Assert.Equal(0, budget.Held(LeakType.Task));
        Assert.Equal(ledger.Injected, ledger.Released);
    }

    public static TheoryData<InjectionSpec, string> BadSpecs()
    {
        var good = InjectionSpec.Default(LeakType.Memory, LeakMode.Leaky);
        return new TheoryData<InjectionSpec, string>
        {
            { good with { RatePerSecond = -1 }, "ratePerSecond" },
            { good with { RatePerSecond = 0 }, "ratePerSecond" },
            { good with { RatePerSecond = double.NaN }, "ratePerSecond" },
            { good with { RatePerSecond = 2_000_000 }, "ratePerSecond" },
            { good with { MaxUnits = -5 }, "maxUnits" },
            { good with { MaxUnits = 1_000_000 }, "maxUnits" },
            { good with { Duration = TimeSpan.FromSeconds(-1) }, "duration" },
            { good with { Duration = TimeSpan.Zero }, "duration" },
            { good with { TickInterval = TimeSpan.FromMilliseconds(-10) }, "tick interval" },
            { good with { Type = (LeakType)42 }, "leakType" },
            { good with { Mode = (LeakMode)7 }, "mode" },
        };
    }

    [Theory]
    [MemberData(nameof(BadSpecs))]
    public void Bad_specs_are_rejected_with_a_reason_naming_the_field(InjectionSpec spec, string field)
    {
        var factory = new InjectionFactory(s_roomy);
        var error = Assert.Throws<ArgumentException>(() => factory.Create(new LeakOwner("test", "bad"), spec));
        Assert.Contains(field, error.Message, StringComparison.Ordinal);
    }
}
