using BenchmarkDotNet.Attributes;
using LeakOperator.Timing;

namespace LeakOperator.Benchmarks;

/// <summary>Start and release costs on the real system clock: SafeTicker against the raw timers it replaces.</summary>
[MemoryDiagnoser]
public class LifecycleBenchmarks
{
    private static readonly TimeSpan s_period = TimeSpan.FromHours(1);
    private SafeTicker _running = null!;

    [GlobalSetup]
    public void SetUp() => _running = new SafeTicker(s_period, static _ => { });

    [GlobalCleanup]
    public void CleanUp() => _running.Dispose();

    [Benchmark(Baseline = true, Description = "PeriodicTimer create+dispose")]
    public void PeriodicTimerCreateDispose() => new PeriodicTimer(s_period).Dispose();

    [Benchmark(Description = "SafeTicker create+dispose")]
    public void SafeTickerCreateDispose() => new SafeTicker(s_period, static _ => { }).Dispose();

    [Benchmark(Description = "SafeTicker create+dispose with lifetime token")]
    public void SafeTickerWithLifetime()
    {
        using var owner = new CancellationTokenSource();
        new SafeTicker(s_period, static _ => { }, lifetime: owner.Token).Dispose();
    }

    [Benchmark(Description = "SafeTicker Stop+Reset")]
    public bool StopReset() => _running.Stop() & _running.Reset();

    [Benchmark(Description = "SafeTicker lease acquire+release")]
    public void LeaseAcquireRelease() => _running.TryAcquire()!.Dispose();
}
