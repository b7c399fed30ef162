using BenchmarkDotNet.Attributes;
using LeakOperator.Timing;
using Microsoft.Extensions.Time.Testing;

namespace LeakOperator.Benchmarks;

/// <summary>
/// The cost of delivering one tick. Both sides are driven by the same FakeTimeProvider, so the difference between
/// them is SafeTicker's own work (state check, in-flight count, overlap guard) and its allocations (goal: 0 B).
/// </summary>
[MemoryDiagnoser]
public class TickDeliveryBenchmarks
{
    private static readonly TimeSpan s_period = TimeSpan.FromSeconds(1);
    private FakeTimeProvider _time = null!;
    private ITimer? _raw;
    private SafeTicker? _safe;
    private long _ticks;

    [GlobalSetup(Target = nameof(RawTimerTick))]
    public void SetUpRaw()
    {
        _time = new FakeTimeProvider();
        _raw = _time.CreateTimer(static state => Interlocked.Increment(ref ((TickDeliveryBenchmarks)state!)._ticks), this, s_period, s_period);
    }

    [GlobalSetup(Target = nameof(SafeTickerTick))]
    public void SetUpSafe()
    {
        _time = new FakeTimeProvider();
        _safe = new SafeTicker(s_period, static state => Interlocked.Increment(ref ((TickDeliveryBenchmarks)state!)._ticks), this, _time);
    }

    [GlobalCleanup]
    public void CleanUp()
    {
        _raw?.Dispose();
        _safe?.Dispose();
    }

    [Benchmark(Baseline = true, Description = "raw ITimer tick")]
    public void RawTimerTick() => _time.Advance(s_period);

    [Benchmark(Description = "SafeTicker tick")]
    public void SafeTickerTick() => _time.Advance(s_period);
}
