namespace LeakOperator.Leaks.Analysis;

/// <summary>A reading of units at a moment, in seconds since the injection started.</summary>
public readonly record struct UnitSample(double Seconds, double Units);

/// <summary>Units an injection created and still holds.</summary>
public readonly record struct Retention(long Created, long Held);

/// <summary>Leaking: units keep growing. Stable: they stay flat.</summary>
public enum Verdict
{
    Stable,
    Leaking,
}

/// <summary>Turns a series of readings into a growth rate and a verdict.</summary>
public static class GrowthAnalysis
{
    /// <summary>Least-squares slope of units over time, in units per minute; 0 for fewer than two distinct times.</summary>
    public static double UnitsPerMinute(IReadOnlyList<UnitSample> samples)
    {
        int n = samples.Count;
        if (n < 2)
        {
            return 0;
        }

        double meanT = samples.Average(s => s.Seconds);
        double meanU = samples.Average(s => s.Units);
        double covariance = 0;
        double variance = 0;
        foreach (var sample in samples)
        {
            double dt = sample.Seconds - meanT;
            covariance += dt * (sample.Units - meanU);
            variance += dt * dt;
        }

        return variance == 0 ? 0 : covariance / variance * 60;
    }

    /// <summary>
    /// Leaking when the units grow by at least a tenth of what was attempted (and by at least one unit a minute):
    /// a leaky injection keeps nearly everything it is given, a safe one nearly nothing, so the line between them
    /// holds on a noisy machine. The first fifth of the series is warm-up (pools fill, the bounded buffer fills).
    /// </summary>
    /// <param name="whenCapped">Set once a cap refused units: what the injection created and still holds. A cap
    /// flattens the line whatever the code does, so then what was kept decides — at least
    /// <see cref="MinRetainedShare"/> of at least <see cref="MinCappedUnits"/> created units is a leak.</param>
    public static (double UnitsPerMinute, Verdict Verdict) Judge(IReadOnlyList<UnitSample> samples, double attemptedPerSecond, Retention? whenCapped = null)
    {
        var steady = samples.Skip(samples.Count / 5).ToList();
        double slope = UnitsPerMinute(steady.Count >= 2 ? steady : samples);
        double threshold = Math.Max(1.0, 0.1 * attemptedPerSecond * 60);
        bool keptWhatTheCapAllowed = whenCapped is { Created: >= MinCappedUnits } retention && retention.Held >= MinRetainedShare * retention.Created;
        return (slope, slope >= threshold || keptWhatTheCapAllowed ? Verdict.Leaking : Verdict.Stable);
    }

    /// <summary>
    /// Whether the injection has attempted enough units (<see cref="MinAttemptedUnits"/>) for its line to say
    /// anything. Before that, the one unit a safe variant rightly holds (its ticker, its pooled connection, its
    /// buffer) arriving a few seconds in is a step from 0 to 1 that reads as growth: at 0.1 units/s, 5 units/min.
    /// </summary>
    public static bool CanJudge(IReadOnlyList<UnitSample> samples, double attemptedPerSecond) =>
        samples.Count >= 3 && samples[^1].Seconds * attemptedPerSecond >= MinAttemptedUnits;

    /// <summary>Fewer attempted units than this give no verdict (see <see cref="CanJudge"/>).</summary>
    public const double MinAttemptedUnits = 10;

    /// <summary>Below this many created units a capped injection is judged by its slope alone (too few to tell).</summary>
    public const long MinCappedUnits = 10;

    /// <summary>A leaky variant keeps nearly everything it creates; a safe one gives nearly everything back.</summary>
    public const double MinRetainedShare = 0.9;
}
