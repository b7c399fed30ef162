using System.Collections.Concurrent;

namespace LeakOperator.Controller.Queue;

/// <summary>
/// Per-item exponential backoff, as controller-runtime's default: 5 ms doubling per consecutive failure, capped at
/// 1000 s. Forgetting an item (it succeeded) starts it from the bottom again.
/// </summary>
public sealed class ItemBackoff<T>(TimeSpan? baseDelay = null, TimeSpan? maxDelay = null)
    where T : notnull
{
    private readonly ConcurrentDictionary<T, int> _failures = new();
    private readonly TimeSpan _base = baseDelay ?? TimeSpan.FromMilliseconds(5);
    private readonly TimeSpan _max = maxDelay ?? TimeSpan.FromSeconds(1000);

    /// <summary>Records one more failure of <paramref name="item"/> and returns how long to wait before retrying.</summary>
    public TimeSpan NextDelay(T item)
    {
        int failures = _failures.AddOrUpdate(item, 1, static (_, n) => n + 1);
        double factor = Math.Pow(2, Math.Min(failures - 1, 62));
        double ms = Math.Min(_base.TotalMilliseconds * factor, _max.TotalMilliseconds);
        return TimeSpan.FromMilliseconds(ms);
    }

    public int Failures(T item) => _failures.TryGetValue(item, out int n) ? n : 0;

    public void Forget(T item) => _failures.TryRemove(item, out _);
}
