using LeakOperator.Leaks;
using LeakOperator.Leaks.Analysis;
using LeakOperator.Leaks.Injections;

namespace LeakOperator.Lab;

/// <summary>
/// One subject of the lab: a running injection (one leak type, leaky or safe) and the readings taken of it so far.
/// "Scenario" is kept for what <c>--scenario</c> picks: one of the write-up's patterns, raced as two subjects.
/// </summary>
internal sealed class LabSubject(Injection injection)
{
    private readonly List<UnitSample> _samples = [];

    public Injection Injection { get; } = injection;

    public LeakType Type => Injection.Spec.Type;

    public LeakMode Mode => Injection.Spec.Mode;

    public IReadOnlyList<UnitSample> Samples => _samples;

    public double LatestUnits => _samples.Count == 0 ? 0 : _samples[^1].Units;

    /// <summary>The leak's own evidence at the latest sample (taken before release, which would zero it).</summary>
    public IReadOnlyDictionary<string, double> LatestEvidence { get; private set; } = new Dictionary<string, double>();

    public void Record(double seconds)
    {
        _samples.Add(new UnitSample(seconds, Injection.MeasureLive()));
        LatestEvidence = Injection.Evidence();
    }

    public (double UnitsPerMinute, Verdict Verdict) Judge()
    {
        var judged = GrowthAnalysis.Judge(_samples, Injection.Spec.RatePerSecond, Injection.Ledger.RetentionWhenCapped);
        Injection.RecordVerdict(judged.Verdict);
        return judged;
    }
}
