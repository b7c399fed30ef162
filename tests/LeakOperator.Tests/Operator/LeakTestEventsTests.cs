using LeakOperator.Leaks.Analysis;
using LeakOperator.Leaks.Injections;
using LeakOperator.Operator;
using LeakOperator.Operator.Api;

namespace LeakOperator.Tests.Operator;

/// <summary>The events a written status change records: each transition once, none for a refresh.</summary>
public sealed class LeakTestEventsTests
{
    private static readonly DateTime s_now = new(2026, 12, 4, 10, 1, 0, DateTimeKind.Utc);

    [Fact]
    public void The_end_of_a_leaky_injection_is_one_holding_event_with_what_it_holds()
    {
        var before = Status(InjectionPhase.Injecting);
        var after = Status(InjectionPhase.Holding, live: 480, verdict: Verdict.Leaking);

        var e = Assert.Single(LeakTestEvents.Transitions(before, after, "MiB retained", capReason: null));

        Assert.Equal((LeakTestEvent.Normal, LeakTestReasons.Holding), (e.Type, e.Reason));
        Assert.Equal("Injection over: holding 480 MiB retained; verdict Leaking", e.Message);
    }

    [Fact]
    public void The_end_of_a_safe_injection_is_one_completed_event()
    {
        var e = Assert.Single(LeakTestEvents.Transitions(Status(InjectionPhase.Injecting), Status(InjectionPhase.Completed, live: 0, verdict: Verdict.Stable), "MiB retained", null));

        Assert.Equal(LeakTestReasons.Completed, e.Reason);
    }

    [Fact]
    public void A_cap_engaging_is_one_warning_and_a_cap_still_engaged_is_none()
    {
        var before = Status(InjectionPhase.Injecting);
        var capped = Status(InjectionPhase.Injecting, capReason: "maxUnits 500 reached");

        var e = Assert.Single(LeakTestEvents.Transitions(before, capped, "MiB retained", "maxUnits 500 reached"));
        Assert.Equal((LeakTestEvent.Warning, LeakTestReasons.Capped, "maxUnits 500 reached"), (e.Type, e.Reason, e.Message));
        Assert.Empty(LeakTestEvents.Transitions(capped, Status(InjectionPhase.Injecting, capReason: "maxUnits 500 reached"), "MiB retained", "maxUnits 500 reached"));
    }

    [Fact]
    public void A_refresh_that_changes_only_numbers_records_nothing()
    {
        Assert.Empty(LeakTestEvents.Transitions(Status(InjectionPhase.Holding, live: 10), Status(InjectionPhase.Holding, live: 11), "MiB retained", null));
        Assert.Empty(LeakTestEvents.Transitions(null, Status(InjectionPhase.Injecting), "MiB retained", null));
    }

    [Fact]
    public void A_rejected_spec_is_announced_once_not_on_every_pass_over_it()
    {
        var problem = new SpecTranslation.Problem("InvalidRate", "rate must be above 0");
        var rejected = new LeakTestStatus();
        StatusProjection.Invalid(rejected, problem, generation: 1, s_now);

        var e = Assert.Single(LeakTestEvents.InvalidSpec(Status(InjectionPhase.Injecting), problem));
        Assert.Equal((LeakTestEvent.Warning, LeakTestReasons.InvalidSpec, "rate must be above 0"), (e.Type, e.Reason, e.Message));
        Assert.Single(LeakTestEvents.InvalidSpec(before: null, problem));
        Assert.Empty(LeakTestEvents.InvalidSpec(rejected, problem));
    }

    [Fact]
    public void A_release_is_announced_with_its_units_and_nothing_released_announces_nothing()
    {
        Assert.Equal("Released 42 units before deletion", Assert.Single(LeakTestEvents.Released(42)).Message);
        Assert.Equal("Released 0 units on request", Assert.Single(LeakTestEvents.ForceReleased(0)).Message);
        Assert.Empty(LeakTestEvents.Released(null));
        Assert.Empty(LeakTestEvents.ForceReleased(null));
    }

    private static LeakTestStatus Status(InjectionPhase phase, long live = 12, Verdict? verdict = null, string? capReason = null)
    {
        var status = new LeakTestStatus();
        StatusProjection.Observe(status, InjectionReadings.Of(phase, live, verdict, capReason), 1, s_now);
        return status;
    }
}
