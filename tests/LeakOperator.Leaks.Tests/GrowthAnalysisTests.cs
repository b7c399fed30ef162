using LeakOperator.Leaks.Analysis;

namespace LeakOperator.Leaks.Tests;

public sealed class GrowthAnalysisTests
{
    [Fact]
    public void The_slope_of_a_straight_line_is_its_rate_per_minute()
    {
        var samples = Enumerable.Range(0, 30).Select(s => new UnitSample(s, 3 + (2.5 * s))).ToList();
        Assert.Equal(150, GrowthAnalysis.UnitsPerMinute(samples), precision: 6);
    }

    [Fact]
    public void A_flat_or_single_series_has_no_slope()
    {
        Assert.Equal(0, GrowthAnalysis.UnitsPerMinute([.. Enumerable.Range(0, 10).Select(s => new UnitSample(s, 7))]));
        Assert.Equal(0, GrowthAnalysis.UnitsPerMinute([new UnitSample(1, 5)]));
        Assert.Equal(0, GrowthAnalysis.UnitsPerMinute([]));
    }

    [Fact]
    public void Keeping_most_of_what_is_injected_is_leaking_and_a_filled_bound_is_stable()
    {
        var leaky = Enumerable.Range(0, 30).Select(s => new UnitSample(s, 4.0 * s)).ToList();
        var bounded = Enumerable.Range(0, 30).Select(s => new UnitSample(s, Math.Min(s, 4))).ToList();

        Assert.Equal(Verdict.Leaking, GrowthAnalysis.Judge(leaky, attemptedPerSecond: 4).Verdict);
        Assert.Equal(Verdict.Stable, GrowthAnalysis.Judge(bounded, attemptedPerSecond: 4).Verdict);
    }

    [Fact]
    public void Slow_growth_under_a_tenth_of_the_rate_is_not_called_a_leak()
    {
        var creeping = Enumerable.Range(0, 60).Select(s => new UnitSample(s, s * 0.05)).ToList();
        Assert.Equal(Verdict.Stable, GrowthAnalysis.Judge(creeping, attemptedPerSecond: 1).Verdict);
    }

    [Fact]
    public void A_leak_stopped_early_by_its_cap_is_still_leaking_and_a_capped_safe_variant_is_not()
    {
        // Capped at 100 in the first seconds of a long run: the line is flat for the rest.
        var capped = Enumerable.Range(0, 60).Select(s => new UnitSample(s, Math.Min(100, 50.0 * s))).ToList();
        Assert.Equal(Verdict.Stable, GrowthAnalysis.Judge(capped, attemptedPerSecond: 50).Verdict);
        Assert.Equal(Verdict.Leaking, GrowthAnalysis.Judge(capped, attemptedPerSecond: 50, new Retention(Created: 100, Held: 100)).Verdict);

        // A safe variant that met a cap gave back what it created; one that created too little to tell is judged by its slope.
        var flat = Enumerable.Range(0, 60).Select(s => new UnitSample(s, Math.Min(s, 1))).ToList();
        Assert.Equal(Verdict.Stable, GrowthAnalysis.Judge(flat, attemptedPerSecond: 4, new Retention(Created: 240, Held: 1)).Verdict);
        Assert.Equal(Verdict.Stable, GrowthAnalysis.Judge(flat, attemptedPerSecond: 4, new Retention(Created: 1, Held: 1)).Verdict);
    }

    [Fact]
    public void A_slow_safe_variant_gets_no_verdict_until_enough_was_attempted_and_then_is_stable()
    {
        // 0.1 units/s: the safe variant's one ticker starts 10 s in. Seen at 15 s that step is "5 units/min" of growth.
        static List<UnitSample> Safe(int seconds) => [.. Enumerable.Range(1, seconds).Select(s => new UnitSample(s, s >= 10 ? 1 : 0))];
        static List<UnitSample> Leaky(int seconds) => [.. Enumerable.Range(1, seconds).Select(s => new UnitSample(s, Math.Floor(s * 0.1)))];

        Assert.Equal(Verdict.Leaking, GrowthAnalysis.Judge(Safe(15), attemptedPerSecond: 0.1).Verdict);
        Assert.False(GrowthAnalysis.CanJudge(Safe(15), attemptedPerSecond: 0.1));
        Assert.False(GrowthAnalysis.CanJudge(Safe(99), attemptedPerSecond: 0.1));

        Assert.True(GrowthAnalysis.CanJudge(Safe(100), attemptedPerSecond: 0.1));
        Assert.Equal(Verdict.Stable, GrowthAnalysis.Judge(Safe(100), attemptedPerSecond: 0.1).Verdict);
        Assert.Equal(Verdict.Leaking, GrowthAnalysis.Judge(Leaky(100), attemptedPerSecond: 0.1).Verdict);
    }
}
