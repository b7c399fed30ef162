namespace LeakOperator.Leaks.Tracking;

/// <summary>
/// Remembers leaked objects without keeping them alive, so that what keeps a leak alive is its real root (the timer
/// queue, a static event) and not our bookkeeping — and so release can still find it.
/// </summary>
internal sealed class WeakTracker<T>
    where T : class
{
    private readonly List<WeakReference<T>> _items = [];
    private readonly Lock _gate = new();

    public void Add(T item)
    {
        lock (_gate)
        {
            _items.Add(new WeakReference<T>(item));
        }
    }

    /// <summary>Counts tracked objects that are still alive and <paramref name="isLive"/>; forgets the collected ones.</summary>
    public int CountLive(Func<T, bool> isLive)
    {
        lock (_gate)
        {
            int live = 0;
            _items.RemoveAll(reference => !reference.TryGetTarget(out _));
            foreach (var reference in _items)
            {
                if (reference.TryGetTarget(out var item) && isLive(item))
                {
                    live++;
                }
            }

            return live;
        }
    }

    /// <summary>Hands over every object still alive and forgets them all.</summary>
    public List<T> Drain()
    {
        lock (_gate)
        {
            var alive = new List<T>(_items.Count);
            foreach (var reference in _items)
            {
                if (reference.TryGetTarget(out var item))
                {
                    alive.Add(item);
                }
            }

            _items.Clear();
            return alive;
        }
    }
}
