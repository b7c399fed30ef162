using LeakOperator.Leaks.Injections;
using LeakOperator.TestSupport;

namespace LeakOperator.Leaks.Tests;

/// <summary>An injection's release against its own start and its own end: whichever comes first, phases only move forward.</summary>
public sealed class InjectionReleaseRaceTests
{
    private static readonly LeakBudget s_roomy = new(new LeakBudgetLimits(MemoryMiB: 4096, TimerLoops: 100_000, Connections: 1000));

    [Fact]
    public async Task A_release_racing_a_start_stops_the_driver_or_keeps_it_from_starting_never_faulting_it()
    {
        var factory = new InjectionFactory(s_roomy);
        var spec = InjectionSpec.Default(LeakType.Memory, LeakMode.Leaky) with { RatePerSecond = 1000 };
        for (int round = 0; round < 2000; round++)
        {
            var injection = factory.Create(new LeakOwner("test", $"race-{round}"), spec);
            using var together = new Barrier(2);
            var start = Task.Run(() =>
            {
                together.SignalAndWait();
                injection.Start();
            });
            var release = Task.Run(async () =>
            {
                together.SignalAndWait();
                await injection.DisposeAsync();
            });
            await Task.WhenAll(start, release);

            // A driver started after the release had disposed the stop signal would fault here (ObjectDisposedException).
            await injection.Injected;
            Assert.Equal(InjectionPhase.Completed, injection.Phase);
            Assert.Equal(0, injection.Ledger.Held);
        }
    }

    [Fact]
    public async Task An_injection_released_before_it_started_never_starts()
    {
        var injection = new InjectionFactory(s_roomy).Create(new LeakOwner("test", "never"), InjectionSpec.Default(LeakType.Memory, LeakMode.Leaky));

        Assert.Equal(0, await injection.ReleaseAsync());
        injection.Start();

        Assert.Null(injection.StartedAt);
        Assert.True(injection.Injected.IsCompletedSuccessfully);
        Assert.Equal(InjectionPhase.Completed, injection.Phase);
        await injection.DisposeAsync();
    }

    [Fact]
    public async Task Releasing_a_completed_injection_keeps_it_completed()
    {
        var spec = InjectionSpec.Default(LeakType.Memory, LeakMode.Safe) with { Duration = TimeSpan.FromMilliseconds(50) };
        var ledger = new UnitLedger(spec.Type, spec.MaxUnits, s_roomy);
        var leak = new PhaseWatchingLeak();
        var injection = new Injection(new LeakOwner("test", "done"), spec, leak, ledger, TimeProvider.System, new CancellationTokenSource());
        leak.Watch(() => injection.Phase);
        injection.Start();
        await Eventually.True(() => injection.Phase == InjectionPhase.Completed, "the safe injection completed by itself");

        await injection.DisposeAsync();

        // The first release is the safe injection's own, at the end of its duration; the second is the one asked for.
        Assert.Equal([InjectionPhase.Injecting, InjectionPhase.Completed], leak.PhasesAtRelease);
        Assert.Equal(InjectionPhase.Completed, injection.Phase);
    }

    /// <summary>Notes the injection's phase each time its release runs.</summary>
    private sealed class PhaseWatchingLeak : ILeak
    {
        private readonly List<InjectionPhase> _phases = [];
        private Func<InjectionPhase> _phase = () => InjectionPhase.Pending;

        public string Pattern => "phase watching";

        public IReadOnlyList<InjectionPhase> PhasesAtRelease
        {
            get
            {
                lock (_phases)
                {
                    return [.. _phases];
                }
            }
        }

        public void Watch(Func<InjectionPhase> phase) => _phase = phase;

        public ValueTask StepAsync(int units, CancellationToken cancellationToken) => ValueTask.CompletedTask;

        public long MeasureLive() => 0;

        public IReadOnlyDictionary<string, double> Evidence() => new Dictionary<string, double>();

        public ValueTask ReleaseAsync()
        {
            lock (_phases)
            {
                _phases.Add(_phase());
            }

            return ValueTask.CompletedTask;
        }
    }
}
