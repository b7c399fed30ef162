using System.Diagnostics.CodeAnalysis;

namespace LeakOperator.Controller.Queue;

/// <summary>
/// The controller work queue, after client-go's: an item waits at most once (adding it again while it waits is a
/// no-op), is never handed to two workers at once (added while being processed, it waits until
/// <see cref="Done"/>), can be added after a delay, and backs off per item on failure.
/// </summary>
/// <remarks>
/// Invariants, all kept under one lock: an item is in <c>_ready</c> at most once; an item in <c>_ready</c> is in
/// <c>_dirty</c>; an item in <c>_processing</c> is not in <c>_ready</c>. The semaphore counts <c>_ready</c>.
/// </remarks>
[SuppressMessage("Naming", "CA1711:Identifiers should not have incorrect suffix", Justification = "The name every controller author knows (client-go workqueue).")]
public sealed class WorkQueue<T> : IDisposable
    where T : notnull
{
    private readonly Queue<T> _ready = new();
    private readonly HashSet<T> _dirty = [];
    private readonly HashSet<T> _processing = [];
    private readonly DelayedAdds<T> _waiting;

    /// <summary>When each dirty item was first added, to report how long it waited before a worker took it.</summary>
    private readonly Dictionary<T, long> _addedAt = [];
    private readonly Lock _gate = new();
    private readonly SemaphoreSlim _available = new(0);
    private readonly CancellationTokenSource _shutdown = new();
    private readonly TimeProvider _time;
    private readonly IWorkQueueObserver _observer;

    public WorkQueue(string name, TimeProvider? time = null, IWorkQueueObserver? observer = null, ItemBackoff<T>? backoff = null)
    {
        Name = name;
        _time = time ?? TimeProvider.System;
        _observer = observer ?? IWorkQueueObserver.None;
        Backoff = backoff ?? new ItemBackoff<T>();
        _waiting = new DelayedAdds<T>(_time, AddAll);
    }

    public string Name { get; }

    public ItemBackoff<T> Backoff { get; }

    /// <summary>Items ready to be handed out.</summary>
    public int Depth
    {
        get
        {
            lock (_gate)
            {
                return _ready.Count;
            }
        }
    }

    /// <summary>Items waiting for a delayed add.</summary>
    public int Waiting => _waiting.Count;

    public bool IsShutDown => _shutdown.IsCancellationRequested;

    public void Add(T item)
    {
        lock (_gate)
        {
            if (IsShutDown || !_dirty.Add(item))
            {
                return;
            }

            _observer.Added(Name);
            _addedAt[item] = _time.GetTimestamp();
            if (_processing.Contains(item))
            {
                // Done() will queue it: a key must never be processed twice at once.
                return;
            }

            _ready.Enqueue(item);
            _observer.DepthChanged(Name, _ready.Count);
        }

        _available.Release();
    }

    /// <summary>Adds <paramref name="item"/> once <paramref name="delay"/> has passed; an earlier pending add wins.</summary>
    public void AddAfter(T item, TimeSpan delay)
    {
        if (delay <= TimeSpan.Zero)
        {
            Add(item);
            return;
        }

        // After ShutDown the scheduler is disposed and ignores the request.
        _waiting.Schedule(item, delay);
    }

    /// <summary>Adds <paramref name="item"/> after its next backoff delay (it failed).</summary>
    public void AddRateLimited(T item)
    {
        _observer.Retried(Name);
        AddAfter(item, Backoff.NextDelay(item));
    }

    /// <summary>Resets the item's backoff (it succeeded).</summary>
    public void Forget(T item) => Backoff.Forget(item);

    /// <summary>Waits for the next item and marks it as being processed; Taken is false once the queue is shut down.</summary>
    public async Task<(bool Taken, T Item)> TakeAsync(CancellationToken cancellationToken)
    {
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _shutdown.Token);
        try
        {
            await _available.WaitAsync(linked.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (IsShutDown)
        {
            return (false, default!);
        }

        lock (_gate)
        {
            var item = _ready.Dequeue();
            _dirty.Remove(item);
            _processing.Add(item);
            _observer.DepthChanged(Name, _ready.Count);
            if (_addedAt.Remove(item, out long addedAt))
            {
                _observer.Waited(Name, _time.GetElapsedTime(addedAt));
            }

            return (true, item);
        }
    }

    /// <summary>Ends processing of an item; if it was added meanwhile, it is queued again now.</summary>
    public void Done(T item)
    {
        bool requeued = false;
        lock (_gate)
        {
            _processing.Remove(item);
            if (_dirty.Contains(item) && !IsShutDown)
            {
                _ready.Enqueue(item);
                _observer.DepthChanged(Name, _ready.Count);
                requeued = true;
            }
        }

        if (requeued)
        {
            _available.Release();
        }
    }

    /// <summary>Stops handing out items; pending delayed adds are dropped with their timer.</summary>
    public void ShutDown()
    {
        lock (_gate)
        {
            if (IsShutDown)
            {
                return;
            }

            _shutdown.Cancel();
        }

        _waiting.Dispose();
    }

    public void Dispose()
    {
        ShutDown();
        _shutdown.Dispose();
        _available.Dispose();
    }

    private void AddAll(List<T> items)
    {
        foreach (var item in items)
        {
            Add(item);
        }
    }
}
