using System.Globalization;
using System.Text;

namespace LeakOperator.Diagnostics;

/// <summary>HTTP client connections to one server port that were opened in the scope and are still open.</summary>
public sealed record HttpConnectionLeftover(int Port, long Count);

/// <summary>Threads of one name that were started in the scope and are still alive.</summary>
public sealed record ThreadLeftover(string Name, int Count);

/// <summary>What a scope left behind, after settling; <see cref="IsEmpty"/> when it left nothing.</summary>
/// <param name="Timers">Timers grouped by owner, as in the timer dump; each count is how many more than at the start.</param>
/// <param name="Sockets">Sockets open more than at the start.</param>
/// <param name="HttpConnections">HttpClient connections open more than at the start, by server port.</param>
/// <param name="Threads">Threads alive more than at the start, by name.</param>
/// <param name="HeapGrowthBytes">GC heap growth beyond the limit, when the heap is checked and it grew past it.</param>
/// <param name="Settled">How long verification waited for leftovers to wind down.</param>
public sealed record LeakFindings(
    IReadOnlyList<TimerGroup> Timers,
    int Sockets,
    IReadOnlyList<HttpConnectionLeftover> HttpConnections,
    IReadOnlyList<ThreadLeftover> Threads,
    long? HeapGrowthBytes,
    TimeSpan Settled)
{
    /// <summary>True when nothing was left behind.</summary>
    public bool IsEmpty => Timers.Count == 0 && Sockets == 0 && HttpConnections.Count == 0 && Threads.Count == 0 && HeapGrowthBytes is null;

    /// <summary>Timers left behind, all groups together.</summary>
    public int TimerCount => Timers.Sum(g => g.Count);

    /// <summary>A message that lists every leftover with its count, biggest first.</summary>
    public string Describe()
    {
        if (IsEmpty)
        {
            return "LeakGuard: nothing was left behind.";
        }

        var text = new StringBuilder();
        text.Append(CultureInfo.InvariantCulture, $"LeakGuard: the scope left these behind (still there after {Settled.TotalSeconds:0.0#} s of settling):\n");
        if (Timers.Count > 0)
        {
            text.Append(CultureInfo.InvariantCulture, $"  {TimerCount} timer(s), by owner:\n");
            foreach (var group in Timers)
            {
                string period = group.PeriodMilliseconds > 0 ? $"every {group.PeriodMilliseconds} ms" : "once";
                text.Append(CultureInfo.InvariantCulture, $"    {group.Count} @ {group.Owner} [{group.Kind}, {period}]\n");
            }
        }

        if (Sockets > 0)
        {
            text.Append(CultureInfo.InvariantCulture, $"  {Sockets} socket(s) open\n");
        }

        foreach (var connections in HttpConnections)
        {
            text.Append(CultureInfo.InvariantCulture, $"  {connections.Count} HTTP client connection(s) to port {connections.Port} open\n");
        }

        foreach (var threads in Threads)
        {
            text.Append(CultureInfo.InvariantCulture, $"  {threads.Count} thread(s) named '{threads.Name}' alive\n");
        }

        if (HeapGrowthBytes is { } heap)
        {
            text.Append(CultureInfo.InvariantCulture, $"  the GC heap grew {heap / (1024.0 * 1024.0):0.0} MiB past the limit after a full collection\n");
        }

        text.Append("Ignore what you keep on purpose with LeakGuardOptions.IgnoreOwner(\"Namespace.Type.Method\") or IgnoreThread(\"name\").");
        return text.ToString();
    }
}
