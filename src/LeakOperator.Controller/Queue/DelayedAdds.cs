namespace LeakOperator.Controller.Queue;

/// <summary>
/// Items to add to the work queue later, held in one heap ordered by due time and woken by one timer, as client-go's
/// delaying queue does with its single waiting loop: a thousand requeued keys are a thousand heap entries, not a
/// thousand <c>Task.Delay</c> timers in the very timer count a task-leak demo reads. An item is due at most once; a
/// sooner request replaces a later one, a later one is ignored.
/// </summary>
/// <remarks>
/// All state is kept under one lock. Invariants: every item in <c>_due</c> has exactly one heap entry carrying its
/// current due time (the heap may also hold stale entries of replaced due times, skipped when popped because they no
/// longer match); the timer is armed for the earliest heap entry, or disarmed when the heap is empty.
/// </remarks>
internal sealed class DelayedAdds<T> : IDisposable
    where T : notnull
{
    private readonly Dictionary<T, TimeSpan> _due = [];
    private readonly PriorityQueue<T, TimeSpan> _heap = new();
    private readonly Lock _gate = new();
    private readonly TimeProvider _time;
    private readonly long _origin;
    private readonly Action<List<T>> _add;
    private readonly ITimer _timer;
    private TimeSpan _armedFor = TimeSpan.MaxValue;
    private bool _disposed;

    /// <param name="add">Called, off the lock, with the items whose time has come.</param>
    public DelayedAdds(TimeProvider time, Action<List<T>> add)
    {
        _time = time;
        _add = add;
        _origin = time.GetTimestamp();
        _timer = time.CreateTimer(static state => ((DelayedAdds<T>)state!).AddDue(), this, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
    }

    /// <summary>Items waiting for their time.</summary>
    public int Count
    {
        get
        {
            lock (_gate)
            {
                return _due.Count;
            }
        }
    }

    /// <summary>Schedules <paramref name="item"/> after <paramref name="delay"/>, unless an earlier request stands or
    /// this is disposed (the queue shut down).</summary>
    public void Schedule(T item, TimeSpan delay)
    {
        lock (_gate)
        {
            var due = Now() + delay;
            if (_disposed || (_due.TryGetValue(item, out var pending) && pending <= due))
            {
                return;
            }

            _due[item] = due;
            _heap.Enqueue(item, due);
            if (due < _armedFor)
            {
                Arm(due);
            }
        }
    }

    /// <summary>Drops every pending item and stops the timer.</summary>
    public void Dispose()
    {
        lock (_gate)
        {
            _disposed = true;
            _due.Clear();
            _heap.Clear();
        }

        _timer.Dispose();
    }

    private void AddDue()
    {
        var ready = new List<T>();
        lock (_gate)
        {
            if (_disposed)
            {
                return;
            }

            var now = Now();
            while (_heap.TryPeek(out var item, out var due) && due <= now)
            {
                _heap.Dequeue();

                // A stale entry: the item was rescheduled sooner (and added by that entry) or already added.
                if (_due.TryGetValue(item, out var current) && current == due)
                {
                    _due.Remove(item);
                    ready.Add(item);
                }
            }

            _armedFor = TimeSpan.MaxValue;
            if (_heap.TryPeek(out _, out var next))
            {
                Arm(next);
            }
        }

        if (ready.Count > 0)
        {
            _add(ready);
        }
    }

    private void Arm(TimeSpan due)
    {
        _armedFor = due;

        // At least a millisecond: a timer that fires a hair early finds nothing due and is armed again, never spins.
        var wait = due - Now();
        _timer.Change(wait > TimeSpan.FromMilliseconds(1) ? wait : TimeSpan.FromMilliseconds(1), Timeout.InfiniteTimeSpan);
    }

    private TimeSpan Now() => _time.GetElapsedTime(_origin);
}
