using System.Collections.Concurrent;

namespace LeakOperator.Leaks.Http;

/// <summary>
/// The root of the HTTP leak: a static cache where buggy code parks streamed responses "to read later" and never
/// does. A streamed response that is not disposed keeps its connection checked out of the pool, so every entry pins
/// one socket at each end.
/// </summary>
internal static class LeakyResponseCache
{
    private static readonly ConcurrentDictionary<LeakOwner, ConcurrentQueue<(HttpClient Client, HttpResponseMessage Response)>> s_entries = new();

    public static void Park(LeakOwner owner, HttpClient client, HttpResponseMessage response) =>
        s_entries.GetOrAdd(owner, static _ => new()).Enqueue((client, response));

    public static int Count(LeakOwner owner) => s_entries.TryGetValue(owner, out var queue) ? queue.Count : 0;

    /// <summary>Disposes and forgets everything parked for <paramref name="owner"/>; returns how many.</summary>
    public static int Evict(LeakOwner owner)
    {
        if (!s_entries.TryRemove(owner, out var queue))
        {
            return 0;
        }

        int evicted = 0;
        while (queue.TryDequeue(out var entry))
        {
            entry.Response.Dispose();
            entry.Client.Dispose();
            evicted++;
        }

        return evicted;
    }
}
