using LeakOperator.Leaks.Injections;
using LeakOperator.Leaks.Tracking;

namespace LeakOperator.Leaks.Tasks;

/// <summary>
/// Leaky: every step starts a new periodic timer loop — <c>while (await timer.WaitForNextTickAsync())</c> — and
/// nobody ever disposes the timer. The runtime's timer queue roots the pending wait, the wait roots the loop, so the
/// loop survives every GC and keeps firing: the .NET twin of a goroutine ranging over a ticker nobody stops.
/// </summary>
/// <param name="onTick">What each tick does besides being counted (the reconcile storm re-enqueues the owner).</param>
/// <param name="onTickAsync">What each tick awaits before the loop waits for the next one (the direct storm's
/// reconcile, called from the loop as the write-up's goroutine calls it); it gets a token cancelled on release.</param>
[System.Diagnostics.CodeAnalysis.SuppressMessage(
    "Design",
    "CA1001:Types that own disposable fields should be disposable",
    Justification = "ReleaseAsync is this leak's disposal; the cancellation source has no timer or wait handle to free.")]
internal sealed class LeakyTaskLeak(UnitLedger ledger, TimeSpan tickInterval, TimeProvider timeProvider, Action? onTick = null, Func<CancellationToken, Task>? onTickAsync = null) : ILeak
{
    private readonly WeakTracker<TimerLoop> _loops = new();
    private readonly Action? _onTick = onTick;
    private readonly Func<CancellationToken, Task>? _onTickAsync = onTickAsync;
    private readonly CancellationTokenSource _releasing = new();
    private long _ticks;
    private long _tickFailures;

    public string Pattern => "unstopped-periodic-timer";

    public ValueTask StepAsync(int units, CancellationToken cancellationToken)
    {
        if (_releasing.IsCancellationRequested)
        {
            return ValueTask.CompletedTask;
        }

        int granted = ledger.TryTake(units);
        for (int i = 0; i < granted; i++)
        {
            var loop = new TimerLoop(new PeriodicTimer(tickInterval, timeProvider), this);

            // Fire and forget, as the buggy code does: the Task is dropped, only the timer queue keeps it going.
            loop.Run();
            _loops.Add(loop);

            // A reconcile racing the release (it passed the phase check just before) may add a loop after
            // ReleaseAsync drained them. The release cancels _releasing before it drains, and both the drain and Add
            // take the tracker's lock: so a loop the drain missed is seen here. Each loop is ended by whichever side
            // claims it first (TimerLoop.TryClaim), so its unit comes back exactly once; the units not created yet
            // are refunded. (No array of the added loops: it would show in the guide's dumpheap -type TimerLoop.)
            if (_releasing.IsCancellationRequested)
            {
                if (loop.TryClaim())
                {
                    loop.Timer.Dispose();
                    ledger.Return(1);
                }

                ledger.Refund(granted - i - 1);
                break;
            }
        }

        return ValueTask.CompletedTask;
    }

    public long MeasureLive() => _loops.CountLive(loop => !loop.Finished);

    public IReadOnlyDictionary<string, double> Evidence()
    {
        var evidence = new Dictionary<string, double> { ["ticksDelivered"] = Interlocked.Read(ref _ticks) };
        if (_onTickAsync is not null)
        {
            evidence["tickWorkFailures"] = Interlocked.Read(ref _tickFailures);
        }

        return evidence;
    }

    public async ValueTask ReleaseAsync()
    {
        // First the work a tick is in the middle of (a direct reconcile's API call), so no loop waits on it.
        await _releasing.CancelAsync().ConfigureAwait(false);
        var loops = _loops.Drain().Where(loop => loop.TryClaim()).ToList();
        foreach (var loop in loops)
        {
            // Dispose makes the pending WaitForNextTickAsync return false, so the loop leaves by its own exit.
            loop.Timer.Dispose();
        }

        foreach (var loop in loops)
        {
            await loop.Completion.ConfigureAwait(false);
        }

        ledger.Return(loops.Count);
    }

    private sealed class TimerLoop(PeriodicTimer timer, LeakyTaskLeak owner)
    {
        private volatile bool _finished;

        // 0 until the release (or a step that saw the release) takes this loop to end it; the CAS is what makes its
        // unit come back exactly once when both see it.
        private int _claimed;

        public PeriodicTimer Timer { get; } = timer;

        public Task Completion { get; private set; } = Task.CompletedTask;

        public bool Finished => _finished;

        public void Run() => Completion = LoopAsync();

        public bool TryClaim() => Interlocked.CompareExchange(ref _claimed, 1, 0) == 0;

        private async Task LoopAsync()
        {
            try
            {
                while (await Timer.WaitForNextTickAsync().ConfigureAwait(false))
                {
                    Interlocked.Increment(ref owner._ticks);
                    owner._onTick?.Invoke();
                    if (owner._onTickAsync is { } work && !owner._releasing.IsCancellationRequested)
                    {
                        await DoTickWorkAsync(work).ConfigureAwait(false);
                    }
                }
            }
            finally
            {
                _finished = true;
            }
        }

        /// <summary>The goroutine ignores what its call returns; so does this loop, counting failures as evidence.</summary>
        [System.Diagnostics.CodeAnalysis.SuppressMessage(
            "Design",
            "CA1031:Do not catch general exception types",
            Justification = "A leaked loop must survive whatever its tick's work throws, as the leaking goroutine does.")]
        private async Task DoTickWorkAsync(Func<CancellationToken, Task> work)
        {
            try
            {
                await work(owner._releasing.Token).ConfigureAwait(false);
            }
            catch (Exception)
            {
                Interlocked.Increment(ref owner._tickFailures);
            }
        }
    }
}
