using LeakOperator.Leaks.Injections;
using LeakOperator.TestSupport;
using Microsoft.Extensions.Time.Testing;

namespace LeakOperator.Leaks.Tests;

public sealed class StepPacingTests
{
    private static readonly TimeSpan s_deadline = TimeSpan.FromSeconds(10);

    [Theory]
    [InlineData(1000, 250)]
    [InlineData(4, 250)]
    [InlineData(1, 1000)]
    [InlineData(0.1, 2000)]
    [InlineData(0, 2000)]
    public void A_slow_injection_steps_about_once_per_unit_within_bounds(double ratePerSecond, int milliseconds) =>
        Assert.Equal(TimeSpan.FromMilliseconds(milliseconds), Injection.StepIntervalFor(ratePerSecond));

    [Fact]
    public async Task The_last_step_of_a_slow_injection_lands_on_the_end_of_its_duration()
    {
        var time = new TimerCountingTime();
        var factory = new InjectionFactory(new LeakBudget(new LeakBudgetLimits(MemoryMiB: 64)), time);
        var spec = InjectionSpec.Default(LeakType.Memory, LeakMode.Leaky) with { RatePerSecond = 0.5, Duration = TimeSpan.FromSeconds(3), MaxUnits = 10 };
        await using var injection = factory.Create(new LeakOwner("test", "slow"), spec);

        injection.Start();
        await Eventually.True(() => time.Timers == 1, "the driver has started its step timer", s_deadline);
        time.Advance(TimeSpan.FromSeconds(2));
        await Eventually.True(() => injection.Ledger.Injected == 1, "the step at 2 s injects the unit owed", s_deadline);

        // Steps are 2 s apart at this rate; the end, 1 s later, must not wait for the next one.
        time.Advance(TimeSpan.FromSeconds(1));
        await Eventually.True(() => injection.Phase == InjectionPhase.Holding, () => $"the injection ends at 3 s (phase {injection.Phase})", s_deadline);
        Assert.Equal(1, injection.Ledger.Injected);
    }

    /// <summary>The driver starts on the thread pool: time may only move once its timer exists.</summary>
    private sealed class TimerCountingTime : FakeTimeProvider
    {
        private int _timers;

        public int Timers => Volatile.Read(ref _timers);

        public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
        {
            Interlocked.Increment(ref _timers);
            return base.CreateTimer(callback, state, dueTime, period);
        }
    }
}
