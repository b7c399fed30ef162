using LeakOperator.Leaks.Analysis;
using LeakOperator.Leaks.Injection;
using LeakOperator.Timing;

namespace LeakOperator.Operator;

/// <summary>
/// An injection the operator runs for one generation of one LeakTest, and the growth seen while it injected:
/// sampled every second by a SafeTicker that closes with it, independent of how often reconciles run.
/// </summary>
internal sealed class TrackedInjection : IAsyncDisposable
{
    public static readonly TimeSpan SampleInterval = TimeSpan.FromSeconds(1);

    private readonly List<UnitSample> _samples = [];
    private readonly Lock _gate = new();
    private readonly SafeTicker _sampler;
    private readonly TimeProvider _time;
    private long _lastStatusWrite;

    public TrackedInjection(Injection injection, long generation, string uid, TimeProvider time)
    {
        Injection = injection;
        Generation = generation;
        Uid = uid;
        _time = time;
        _sampler = new SafeTicker(SampleInterval, static state => ((TrackedInjection)state!).Sample(), this, time);
    }

    public Injection Injection { get; }

    public long Generation { get; }

    public string Uid { get; }

    /// <summary>Whether this injection's status was written less than <paramref name="interval"/> ago.</summary>
    public bool WroteStatusWithin(TimeSpan interval)
    {
        long last = Interlocked.Read(ref _lastStatusWrite);
        return last != 0 && _time.GetElapsedTime(last) < interval;
    }

    public void StatusWritten() => Interlocked.Exchange(ref _lastStatusWrite, _time.GetTimestamp());

    public async ValueTask DisposeAsync()
    {
        _sampler.Dispose();
        await Injection.DisposeAsync().ConfigureAwait(false);
    }

    /// <summary>Records a reading while injecting; afterwards the verdict is frozen at what the injection showed.</summary>
    private void Sample()
    {
        if (Injection.Phase != InjectionPhase.Injecting || Injection.StartedAt is not { } started)
        {
            return;
        }

        var reading = new UnitSample((_time.GetUtcNow() - started).TotalSeconds, Injection.MeasureLive());
        lock (_gate)
        {
            _samples.Add(reading);
        }
    }

    public (double UnitsPerMinute, Verdict? Verdict) Judge()
    {
        lock (_gate)
        {
            if (_samples.Count < 2)
            {
                return (0, null);
            }

            var (slope, verdict) = GrowthAnalysis.Judge(_samples, Injection.Spec.RatePerSecond, Injection.Ledger.RetentionWhenCapped);
            Verdict? judged = GrowthAnalysis.CanJudge(_samples, Injection.Spec.RatePerSecond) ? verdict : null;
            Injection.RecordVerdict(judged);
            return (slope, judged);
        }
    }
}
