using System.Diagnostics.CodeAnalysis;

namespace LeakOperator.Leaks.Injections;

/// <summary>
/// Drives one leak at its rate for its duration, within its caps, and releases it on demand. After the duration a
/// leaky injection keeps holding what it leaked; a safe one releases by itself.
/// </summary>
public sealed class Injection : IAsyncDisposable
{
    /// <summary>How often the driver steps at most; each step does the units owed since the last one.</summary>
    public static readonly TimeSpan StepInterval = TimeSpan.FromMilliseconds(250);

    /// <summary>
    /// How long a slow injection may go between steps. Below 4 units a second the driver steps about once per unit,
    /// up to this: 1,000 injections at 0.1/s wake the thread pool 500 times a second instead of 4,000 (measured: the
    /// operator idled at 16-21 % of a core instead of 22-30 %), and their growth shows the same.
    /// </summary>
    public static readonly TimeSpan MaxStepInterval = TimeSpan.FromSeconds(2);

    private readonly ILeak _leak;
    private readonly TimeProvider _time;
    private readonly CancellationTokenSource _stop;
    private readonly Lock _releaseGate = new();
    private Task _driver = Task.CompletedTask;
    private Task<long>? _release;
    private int _phase = (int)InjectionPhase.Pending;
    private long _stepFaults;
    private string? _lastFault;

    // 0: not judged yet; otherwise 1 + (int)Verdict. Written by whoever judges (the operator's reconcile), read by scrapes.
    private int _verdict;

    internal Injection(LeakOwner owner, InjectionSpec spec, ILeak leak, UnitLedger ledger, TimeProvider time, CancellationTokenSource lifetime)
    {
        _stop = lifetime;
        Owner = owner;
        Spec = spec;
        _leak = leak;
        Ledger = ledger;
        _time = time;
    }

    public LeakOwner Owner { get; }

    public InjectionSpec Spec { get; }

    public UnitLedger Ledger { get; }

    public InjectionPhase Phase => (InjectionPhase)Volatile.Read(ref _phase);

    public DateTimeOffset? StartedAt { get; private set; }

    public DateTimeOffset? InjectionEndedAt { get; private set; }

    public long StepFaults => Interlocked.Read(ref _stepFaults);

    public string? LastFault => Volatile.Read(ref _lastFault);

    /// <summary>The latest verdict its owner reached on its growth (null until it had enough samples to judge): what
    /// the <c>leakoperator_leaking</c> metric and the alert on it read.</summary>
    public Analysis.Verdict? LatestVerdict => Volatile.Read(ref _verdict) switch
    {
        0 => null,
        var v => (Analysis.Verdict)(v - 1),
    };

    public void RecordVerdict(Analysis.Verdict? verdict) => Volatile.Write(ref _verdict, verdict is { } v ? (int)v + 1 : 0);

    /// <summary>Completes when the injection time is over (or it was released early).</summary>
    public Task Injected => _driver;

    /// <summary>Units held right now, counted from the resources (take a full GC first for the honest number).</summary>
    public long MeasureLive() => _leak.MeasureLive();

    public IReadOnlyDictionary<string, double> Evidence() => _leak.Evidence();

    /// <summary>How the variant leaks or avoids leaking.</summary>
    public string Pattern => _leak.Pattern;

    /// <summary>
    /// Tells a reconcile-driven leak that its owner was reconciled. Only while injecting: once the injection time is
    /// over, reconciles create nothing more (what a leaky storm started goes on ticking, and is held).
    /// </summary>
    public void OnReconcile()
    {
        if (Phase == InjectionPhase.Injecting && _leak is IReconcileDriven driven)
        {
            driven.OnReconcile();
        }
    }

    /// <summary>Starts injecting. Idempotent; an injection released before it started never starts.</summary>
    public void Start()
    {
        // Under the release gate: a release either comes first (and this start does nothing) or finds the driver
        // assigned, so it never awaits a stand-in while the real driver starts on a disposed stop signal.
        lock (_releaseGate)
        {
            if (_release is not null
                || Interlocked.CompareExchange(ref _phase, (int)InjectionPhase.Injecting, (int)InjectionPhase.Pending) != (int)InjectionPhase.Pending)
            {
                return;
            }

            StartedAt = _time.GetUtcNow();
            var stop = _stop.Token;
            _driver = Task.Run(() => DriveAsync(stop));
        }
    }

    /// <summary>
    /// Stops injecting and gives every unit back; returns how many units it held when the release came (more, if a step
    /// in flight added some). All callers await the same release and get the same count.
    /// </summary>
    public Task<long> ReleaseAsync()
    {
        lock (_releaseGate)
        {
            return _release ??= ReleaseOnceAsync();
        }
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            await ReleaseAsync().ConfigureAwait(false);
        }
        finally
        {
            // Also when the release threw: the stop signal is ours alone, whatever became of the leak's resources.
            _stop.Dispose();
        }
    }

    // Its first part runs under the release gate (ReleaseAsync), so Start ran whole before it or never runs.
    private async Task<long> ReleaseOnceAsync()
    {
        // Released even if it never started: building a leak can already hold something (the HTTP leaks' sink listens).
        EnterReleasing();
        long heldAsked = Ledger.Held;
        await _stop.CancelAsync().ConfigureAwait(false);
        await _driver.ConfigureAwait(false);

        // Read again once the driver has stopped, so a step in flight is counted; the larger reading is reported, as
        // what is bound to the stop signal (a safe ticker) is given back by the cancel itself. A direct reconcile racing
        // the release may still add a unit after this (OnReconcile runs on its own thread); its leak gives that back
        // too, uncounted here.
        long held = Math.Max(heldAsked, Ledger.Held);
        await _leak.ReleaseAsync().ConfigureAwait(false);
        Volatile.Write(ref _phase, (int)InjectionPhase.Completed);
        return held;
    }

    /// <summary>
    /// Moves to Releasing, except from Completed: phases only move forward (the operator's requeue relies on it). A
    /// Completed injection's release still runs; a leak's release is idempotent.
    /// </summary>
    private void EnterReleasing()
    {
        while (true)
        {
            // The compare-and-swap keeps the driver's own last move (Injecting to Completed or Holding) and this one
            // from overwriting each other: whichever lands second sees the other's phase and works from it.
            int current = Volatile.Read(ref _phase);
            if (current == (int)InjectionPhase.Completed
                || Interlocked.CompareExchange(ref _phase, (int)InjectionPhase.Releasing, current) == current)
            {
                return;
            }
        }
    }

    /// <summary>About one unit per step, between <see cref="StepInterval"/> and <see cref="MaxStepInterval"/>.</summary>
    internal static TimeSpan StepIntervalFor(double ratePerSecond) =>
        ratePerSecond <= 0 ? MaxStepInterval : TimeSpan.FromTicks(Math.Clamp((long)(TimeSpan.TicksPerSecond / ratePerSecond), StepInterval.Ticks, MaxStepInterval.Ticks));

    [SuppressMessage("Design", "CA1031:Do not catch general exception types", Justification = "A failed step is counted and reported; the injection goes on.")]
    private async Task DriveAsync(CancellationToken stop)
    {
        long started = _time.GetTimestamp();
        long lastStep = started;
        double owed = 0;
        double maxOwed = Math.Max(1, Spec.MaxUnits);
        var step = StepIntervalFor(Spec.RatePerSecond);
        using var timer = new PeriodicTimer(step, _time);
        try
        {
            do
            {
                long now = _time.GetTimestamp();
                var elapsed = _time.GetElapsedTime(started, now);
                if (elapsed >= Spec.Duration)
                {
                    break;
                }

                // Owed units never exceed the cap: an absurd rate makes big steps, never an unbounded backlog.
                owed = Math.Min(maxOwed, owed + (Spec.RatePerSecond * _time.GetElapsedTime(lastStep, now).TotalSeconds));
                lastStep = now;
                int units = (int)owed;
                owed -= units;

                // The last step lands on the end of the duration, however long the steps are.
                var remaining = Spec.Duration - elapsed;
                if (remaining < timer.Period)
                {
                    timer.Period = remaining > TimeSpan.FromMilliseconds(1) ? remaining : TimeSpan.FromMilliseconds(1);
                }

                try
                {
                    await _leak.StepAsync(units, stop).ConfigureAwait(false);
                }
                catch (Exception e) when (e is not OperationCanceledException || !stop.IsCancellationRequested)
                {
                    Interlocked.Increment(ref _stepFaults);
                    Volatile.Write(ref _lastFault, e.Message);
                }
            }
            while (await timer.WaitForNextTickAsync(stop).ConfigureAwait(false));
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            return;
        }

        InjectionEndedAt = _time.GetUtcNow();
        if (Spec.Mode == LeakMode.Safe)
        {
            // The fixed code cleans up after itself when its work is done.
            await _leak.ReleaseAsync().ConfigureAwait(false);
            Interlocked.CompareExchange(ref _phase, (int)InjectionPhase.Completed, (int)InjectionPhase.Injecting);
        }
        else
        {
            Interlocked.CompareExchange(ref _phase, (int)InjectionPhase.Holding, (int)InjectionPhase.Injecting);
        }
    }
}
