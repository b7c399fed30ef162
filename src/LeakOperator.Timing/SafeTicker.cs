using System.Diagnostics.CodeAnalysis;

namespace LeakOperator.Timing;

/// <summary>
/// A periodic ticker that cannot leak: the .NET form of the fix for Go's <c>time.Ticker</c> leaks.
/// </summary>
/// <remarks>
/// Invariants, each kept by one atomic operation named where it happens:
/// <list type="bullet">
/// <item>State moves Running ⇄ Stopped ⇄ … → Closed only by compare-and-swap; Closed is final.</item>
/// <item>Close runs its cleanup exactly once, whoever calls it and however often (Dispose, lifetime cancellation,
/// the last lease given back).</item>
/// <item>No tick is delivered after <see cref="Stop"/> or <see cref="Dispose"/> returns (unless that call is made from
/// inside this ticker's own tick handler, which cannot wait for itself).</item>
/// <item>Ticks never overlap: a tick that arrives while the handler still runs is dropped and counted, as Go's
/// ticker drops ticks for a slow reader.</item>
/// <item>Nothing is allocated per tick.</item>
/// </list>
/// The handler must not block on anything that a thread calling Stop or Dispose holds: those calls wait for a
/// running handler to finish.
/// </remarks>
public sealed class SafeTicker : IDisposable
{
    private static readonly TimerCallback s_onTimer = static state => ((SafeTicker)state!).OnTimer();
    private static long s_open;

    [ThreadStatic]
    private static SafeTicker? t_delivering;

    private readonly ITimer _timer;
    private readonly TimeSpan _period;
    private readonly Action<object?> _onTick;
    private readonly object? _tickState;
    private readonly Action? _onClosed;
    private readonly Lock _timerGate = new();
    private readonly CancellationTokenRegistration _lifetime;

    private int _state;
    private int _inFlight;
    private int _delivering;
    private int _references = 1;
    private int _creatorReleased;
    private long _ticks;
    private long _droppedTicks;
    private long _faults;

    /// <param name="period">Time between ticks; must be positive.</param>
    /// <param name="onTick">Runs on a thread-pool thread for each tick, never twice at once.</param>
    /// <param name="tickState">Passed to <paramref name="onTick"/>, so a static lambda needs no closure.</param>
    /// <param name="timeProvider">The clock; tests pass a FakeTimeProvider.</param>
    /// <param name="startRunning">False creates it Stopped; <see cref="Reset"/> starts it.</param>
    /// <param name="onClosed">Runs once, after the timer is gone and no tick is running.</param>
    /// <param name="lifetime">When cancelled, the ticker closes: bind it to the reconcile's or the owner's token.</param>
    public SafeTicker(
        TimeSpan period,
        Action<object?> onTick,
        object? tickState = null,
        TimeProvider? timeProvider = null,
        bool startRunning = true,
        Action? onClosed = null,
        CancellationToken lifetime = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(period, TimeSpan.Zero);
        ArgumentNullException.ThrowIfNull(onTick);
        _period = period;
        _onTick = onTick;
        _tickState = tickState;
        _onClosed = onClosed;
        _state = (int)(startRunning ? TickerState.Running : TickerState.Stopped);
        Interlocked.Increment(ref s_open);

        // The timer must not capture the creator's ExecutionContext: a ticker made inside a reconcile would otherwise
        // keep that reconcile's AsyncLocal values (loggers, activities, request state) alive for its whole life.
        using (ExecutionContext.SuppressFlow())
        {
            var due = startRunning ? period : Timeout.InfiniteTimeSpan;
            _timer = (timeProvider ?? TimeProvider.System).CreateTimer(s_onTimer, this, due, due);
        }

        // Unregistered on close, so a long-lived token (an operator's shutdown token) does not collect one
        // registration per ticker it ever saw. If the token is already cancelled this closes the ticker right here.
        _lifetime = lifetime.Register(static state => ((SafeTicker)state!).Dispose(), this);
    }

    /// <summary>Tickers created and not yet closed, in this process.</summary>
    public static long OpenCount => Interlocked.Read(ref s_open);

    public TickerState State => (TickerState)Volatile.Read(ref _state);

    public TimeSpan Period => _period;

    /// <summary>Ticks delivered to the handler.</summary>
    public long Ticks => Interlocked.Read(ref _ticks);

    /// <summary>Ticks that arrived while the handler was still running, and were dropped.</summary>
    public long DroppedTicks => Interlocked.Read(ref _droppedTicks);

    /// <summary>Handler calls that threw; the ticker keeps running.</summary>
    public long Faults => Interlocked.Read(ref _faults);

    /// <summary>Stops ticking. True if this call moved it from Running to Stopped.</summary>
    public bool Stop()
    {
        // CAS: of many concurrent Stop calls exactly one makes the transition; a Stop racing a Reset either wins
        // (Stopped) or loses to it (Running) but never leaves a half-changed state behind.
        bool stopped = Interlocked.CompareExchange(ref _state, (int)TickerState.Stopped, (int)TickerState.Running)
            == (int)TickerState.Running;
        if (stopped)
        {
            ChangeTimerIfStill(TickerState.Stopped, Timeout.InfiniteTimeSpan);
        }

        // Every caller waits, not only the one that made the transition: "no tick after Stop returns" must hold
        // for the second of two concurrent Stops as well.
        if (State != TickerState.Running)
        {
            WaitForTicksInFlight();
        }

        return stopped;
    }

    /// <summary>Starts a stopped ticker again, a full period from now. False if it was not Stopped.</summary>
    public bool Reset()
    {
        // CAS: Reset cannot revive a Closed ticker, and of concurrent Resets only one reprograms the timer.
        if (Interlocked.CompareExchange(ref _state, (int)TickerState.Running, (int)TickerState.Stopped)
            != (int)TickerState.Stopped)
        {
            return false;
        }

        ChangeTimerIfStill(TickerState.Running, _period);
        return true;
    }

    /// <summary>
    /// Takes one more counted reference, or returns null when the ticker is closed or its last reference is already
    /// being given back. The creator holds the first reference (see <see cref="ReleaseReference"/>).
    /// </summary>
    public TickerLease? TryAcquire()
    {
        int count = Volatile.Read(ref _references);
        while (true)
        {
            // Never from zero: once the count reached zero the ticker is closing and must not be resurrected.
            if (count <= 0)
            {
                return null;
            }

            int seen = Interlocked.CompareExchange(ref _references, count + 1, count);
            if (seen == count)
            {
                break;
            }

            count = seen;
        }

        // Second check: Dispose or the lifetime token may have closed it while references remained.
        if (State == TickerState.Closed)
        {
            ReleaseReference();
            return null;
        }

        return new TickerLease(this);
    }

    /// <summary>
    /// Gives back the creator's reference (once; later calls do nothing). The ticker runs on while leases remain
    /// and closes when the last one is given back.
    /// </summary>
    public void ReleaseCreatorReference()
    {
        // Exchange makes the creator's reference count once, however often this is called.
        if (Interlocked.Exchange(ref _creatorReleased, 1) == 0)
        {
            ReleaseReference();
        }
    }

    /// <summary>Closes the ticker now, whatever references remain. Idempotent and safe from any thread.</summary>
    public void Dispose() => Close();

    internal void ReleaseReference()
    {
        // Decrement: exactly one caller sees the count reach zero, and only that one closes.
        if (Interlocked.Decrement(ref _references) == 0)
        {
            Close();
        }
    }

    private bool Close()
    {
        int current = Volatile.Read(ref _state);
        while (current != (int)TickerState.Closed)
        {
            // CAS loop from whatever state it is in: exactly one caller ever moves it to Closed and runs the cleanup.
            int seen = Interlocked.CompareExchange(ref _state, (int)TickerState.Closed, current);
            if (seen == current)
            {
                _lifetime.Unregister();
                lock (_timerGate)
                {
                    _timer.Dispose();
                }

                WaitForTicksInFlight();
                Interlocked.Decrement(ref s_open);
                _onClosed?.Invoke();
                return true;
            }

            current = seen;
        }

        WaitForTicksInFlight();
        return false;
    }

    private void ChangeTimerIfStill(TickerState expected, TimeSpan dueAndPeriod)
    {
        // The state was already changed by CAS; the lock only orders the timer calls, so a Reset that lost a race
        // to Close never reprograms a disposed timer, and a late Stop never silences a timer a newer Reset started.
        lock (_timerGate)
        {
            if (State == expected)
            {
                _timer.Change(dueAndPeriod, dueAndPeriod);
            }
        }
    }

    private void OnTimer()
    {
        // Increment before reading the state. Stop and Close write the state before reading _inFlight, and both
        // sides use full fences, so either this tick sees the stop, or the stopper sees this tick and waits for it.
        Interlocked.Increment(ref _inFlight);
        try
        {
            if (Volatile.Read(ref _state) != (int)TickerState.Running)
            {
                return;
            }

            // CAS on the delivery flag: a timer callback that arrives while the handler still runs is dropped.
            if (Interlocked.CompareExchange(ref _delivering, 1, 0) != 0)
            {
                Interlocked.Increment(ref _droppedTicks);
                return;
            }

            Deliver();
        }
        finally
        {
            Interlocked.Decrement(ref _inFlight);
        }
    }

    [SuppressMessage("Design", "CA1031:Do not catch general exception types", Justification = "A throwing handler must not kill the timer thread; it is counted.")]
    private void Deliver()
    {
        var outer = t_delivering;
        t_delivering = this;
        try
        {
            Interlocked.Increment(ref _ticks);
            _onTick(_tickState);
        }
        catch (Exception)
        {
            Interlocked.Increment(ref _faults);
        }
        finally
        {
            t_delivering = outer;
            Volatile.Write(ref _delivering, 0);
        }
    }

    private void WaitForTicksInFlight()
    {
        // A handler that stops its own ticker is itself in flight and cannot wait for itself.
        int mine = ReferenceEquals(t_delivering, this) ? 1 : 0;
        var spinner = default(SpinWait);
        while (Volatile.Read(ref _inFlight) > mine)
        {
            spinner.SpinOnce(sleep1Threshold: 20);
        }
    }
}
