using LeakOperator.Leaks.Injection;
using LeakOperator.Leaks.Tracking;

namespace LeakOperator.Leaks.Tasks;

/// <summary>
/// Leaky: every step starts a new periodic timer loop — <c>while (await timer.WaitForNextTickAsync())</c> — and
/// nobody ever disposes the timer. The runtime's timer queue roots the pending wait, the wait roots the loop, so the
/// loop survives every GC and keeps firing: the .NET twin of a goroutine ranging over a ticker nobody stops.
/// </summary>
/// <param name="onTick">What each tick does besides being counted (the reconcile storm re-enqueues the owner).</param>
internal sealed class LeakyTaskLeak(UnitLedger ledger, TimeSpan tickInterval, TimeProvider timeProvider, Action? onTick = null) : ILeak
{
    private readonly WeakTracker<TimerLoop> _loops = new();
    private readonly Action? _onTick = onTick;
    private long _ticks;

    public LeakType Type => LeakType.Task;

    public LeakMode Mode => LeakMode.Leaky;

    public string Pattern => "unstopped-periodic-timer";

    public ValueTask StepAsync(int units, CancellationToken cancellationToken)
    {
        int granted = ledger.TryTake(units);
        for (int i = 0; i < granted; i++)
        {
            var loop = new TimerLoop(new PeriodicTimer(tickInterval, timeProvider), this);

            // Fire and forget, as the buggy code does: the Task is dropped, only the timer queue keeps it going.
            loop.Run();
            _loops.Add(loop);
        }

        return ValueTask.CompletedTask;
    }

    public long MeasureLive() => _loops.CountLive(loop => !loop.Finished);

    public IReadOnlyDictionary<string, double> Evidence() => new Dictionary<string, double>
    {
        ["ticksDelivered"] = Interlocked.Read(ref _ticks),
    };

    public async ValueTask ReleaseAsync()
    {
        var loops = _loops.Drain();
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

        public PeriodicTimer Timer { get; } = timer;

        public Task Completion { get; private set; } = Task.CompletedTask;

        public bool Finished => _finished;

        public void Run() => Completion = LoopAsync();

        private async Task LoopAsync()
        {
            try
            {
                while (await Timer.WaitForNextTickAsync().ConfigureAwait(false))
                {
                    Interlocked.Increment(ref owner._ticks);
                    owner._onTick?.Invoke();
                }
            }
            finally
            {
                _finished = true;
            }
        }
    }
}
