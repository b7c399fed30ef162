using System.Collections.Concurrent;

namespace LeakOperator.Leaks.Tasks.Patterns;

/// <summary>Named counters a stop pattern reports (ticks after stop, double cleanups); thread-safe.</summary>
internal sealed class StopEvidence
{
    private readonly ConcurrentDictionary<string, long> _counters = new(StringComparer.Ordinal);
    private readonly List<string> _order = [];

    /// <summary>Starts every named counter at zero, so a safe run shows "0 ticks after stop", not nothing.</summary>
    public StopEvidence(IEnumerable<string> names)
    {
        foreach (var name in names)
        {
            _counters[name] = 0;
            _order.Add(name);
        }
    }

    /// <summary>Adds to a counter named up front (only those are reported).</summary>
    public void Add(string name, long by = 1) => _counters.AddOrUpdate(name, by, (_, value) => value + by);

    public long this[string name] => _counters.GetValueOrDefault(name);

    /// <summary>Every counter, in the order the pattern named them (reports read better that way).</summary>
    public Dictionary<string, double> Snapshot() => _order.ToDictionary(name => name, name => (double)this[name], StringComparer.Ordinal);
}
