using LeakOperator.Leaks.Analysis;
using LeakOperator.Leaks.Injections;
using LeakOperator.Operator;
using LeakOperator.Operator.Api;

namespace LeakOperator.Tests.Operator;

/// <summary>
/// What a LeakTest's status says for each thing the operator can know: a running or finished injection, a spec that
/// cannot run, a release on request; and which changes count as significant (written at once, never coalesced).
/// </summary>
public sealed class StatusProjectionTests
{
    private static readonly DateTime s_now = new(2026, 12, 4, 10, 1, 0, DateTimeKind.Utc);

    [Fact]
    public void An_injecting_test_is_ready_injecting_not_yet_judged_and_within_its_caps()
    {
        var status = new LeakTestStatus();

        StatusProjection.Observe(status, InjectionReadings.Of(InjectionPhase.Injecting), generation: 3, s_now);

        Assert.Equal(LeakTestPhases.Injecting, status.Phase);
        Assert.Equal(12, status.LeakedUnits);
        Assert.Equal(15, status.InjectedUnits);
        Assert.Equal(3, status.ReleasedUnits);
        Assert.Equal(3, status.ObservedGeneration);
        Assert.Null(status.CompletedAt);
        Assert.Equal(42, status.Evidence!["gcHeapMiB"]);
        AssertCondition(status, LeakTestConditions.Ready, "True", LeakTestPhases.Injecting);
        AssertCondition(status, LeakTestConditions.Injecting, "True", LeakTestReasons.InjectionRunning);
        AssertCondition(status, LeakTestConditions.Leaking, "False", LeakTestReasons.NotJudgedYet);
        AssertCondition(status, LeakTestConditions.InvalidSpec, "False", LeakTestReasons.Valid);
        AssertCondition(status, LeakTestConditions.Capped, "False", LeakTestReasons.WithinCaps);
        Assert.All(status.Conditions, c => Assert.Equal(3, c.ObservedGeneration));
    }

    [Fact]
    public void A_leaky_test_that_hit_its_cap_says_leaking_and_capped_with_the_caps_reason()
    {
        var status = new LeakTestStatus();

        StatusProjection.Observe(status, InjectionReadings.Of(InjectionPhase.Holding, verdict: Verdict.Leaking, capReason: "maxUnits 500 reached"), 1, s_now);

        Assert.Equal(LeakTestPhases.Holding, status.Phase);
        Assert.Equal("Leaking", status.Verdict);
        AssertCondition(status, LeakTestConditions.Leaking, "True", "Leaking");
        AssertCondition(status, LeakTestConditions.Injecting, "False", LeakTestReasons.InjectionEnded);
        var capped = AssertCondition(status, LeakTestConditions.Capped, "True", LeakTestReasons.CapReached);
        Assert.Equal("maxUnits 500 reached", capped.Message);
    }

    [Fact]
    public void Numbers_alone_are_not_significant_and_leave_every_transition_time_alone()
    {
        var status = new LeakTestStatus();
        StatusProjection.Observe(status, InjectionReadings.Of(InjectionPhase.Injecting, live: 10), 1, s_now);
        string before = StatusProjection.Significant(status);

        StatusProjection.Observe(status, InjectionReadings.Of(InjectionPhase.Injecting, live: 20, unitsPerMinute: 90), 1, s_now.AddSeconds(2));

        Assert.Equal(20, status.LeakedUnits);
        Assert.Equal(before, StatusProjection.Significant(status));
        Assert.All(status.Conditions, c => Assert.Equal(s_now, c.LastTransitionTime));
    }

    [Fact]
    public void A_phase_change_is_significant_and_moves_only_the_conditions_whose_status_changed()
    {
        var status = new LeakTestStatus();
        StatusProjection.Observe(status, InjectionReadings.Of(InjectionPhase.Injecting), 1, s_now);
        string before = StatusProjection.Significant(status);
        var later = s_now.AddMinutes(5);

        StatusProjection.Observe(status, InjectionReadings.Of(InjectionPhase.Completed, live: 0, verdict: Verdict.Stable), 1, later);

        Assert.NotEqual(before, StatusProjection.Significant(status));
        Assert.Equal(later, Condition(status, LeakTestConditions.Injecting).LastTransitionTime);
        Assert.Equal(s_now, Condition(status, LeakTestConditions.Ready).LastTransitionTime);
    }

    [Fact]
    public void A_new_generation_is_significant_even_when_nothing_else_changes()
    {
        var status = new LeakTestStatus();
        StatusProjection.Observe(status, InjectionReadings.Of(InjectionPhase.Injecting), 1, s_now);
        string before = StatusProjection.Significant(status);

        StatusProjection.Observe(status, InjectionReadings.Of(InjectionPhase.Injecting), 2, s_now);

        Assert.NotEqual(before, StatusProjection.Significant(status));
    }

    [Fact]
    public void An_invalid_spec_fails_with_the_problems_reason_and_holds_nothing()
    {
        var status = new LeakTestStatus();
        StatusProjection.Observe(status, InjectionReadings.Of(InjectionPhase.Injecting), 1, s_now);

        StatusProjection.Invalid(status, new SpecTranslation.Problem("UnknownMode", "spec.mode 'lossy' is not one of leaky, safe"), 2, s_now);

        Assert.Equal(LeakTestPhases.Failed, status.Phase);
        Assert.Equal(0, status.LeakedUnits);
        Assert.Null(status.Verdict);
        Assert.Equal(2, status.ObservedGeneration);
        Assert.Equal("spec.mode 'lossy' is not one of leaky, safe", AssertCondition(status, LeakTestConditions.InvalidSpec, "True", "UnknownMode").Message);
        AssertCondition(status, LeakTestConditions.Ready, "False", "UnknownMode");
        AssertCondition(status, LeakTestConditions.Injecting, "False", LeakTestReasons.InvalidSpec);
    }

    [Fact]
    public void A_completed_generation_is_finished_but_a_release_on_request_is_not()
    {
        var completed = new LeakTestStatus();
        StatusProjection.Observe(completed, InjectionReadings.Of(InjectionPhase.Completed, live: 0), 4, s_now);
        var released = new LeakTestStatus();
        StatusProjection.ForceReleased(released, 4, s_now);

        Assert.True(StatusProjection.FinishedBefore(completed, 4));
        Assert.False(StatusProjection.FinishedBefore(completed, 5));
        Assert.Equal(LeakTestPhases.Completed, released.Phase);
        AssertCondition(released, LeakTestConditions.Ready, "True", LeakTestReasons.ForceReleased);
        Assert.False(StatusProjection.FinishedBefore(released, 4));
        Assert.False(StatusProjection.FinishedBefore(null, 4));
    }

    [Theory]
    [InlineData(InjectionPhase.Pending, LeakTestPhases.Pending)]
    [InlineData(InjectionPhase.Injecting, LeakTestPhases.Injecting)]
    [InlineData(InjectionPhase.Holding, LeakTestPhases.Holding)]
    [InlineData(InjectionPhase.Releasing, LeakTestPhases.Releasing)]
    [InlineData(InjectionPhase.Completed, LeakTestPhases.Completed)]
    public void Each_injection_phase_has_its_status_phase(InjectionPhase phase, string expected) =>
        Assert.Equal(expected, StatusProjection.PhaseOf(phase));

    private static k8s.Models.V1Condition Condition(LeakTestStatus status, string type) => Assert.Single(status.Conditions, c => c.Type == type);

    private static k8s.Models.V1Condition AssertCondition(LeakTestStatus status, string type, string expectedStatus, string expectedReason)
    {
        var condition = Condition(status, type);
        Assert.True(
            condition.Status == expectedStatus && condition.Reason == expectedReason,
            $"{type}: expected {expectedStatus}/{expectedReason}, got {condition.Status}/{condition.Reason} ({condition.Message})");
        return condition;
    }
}
