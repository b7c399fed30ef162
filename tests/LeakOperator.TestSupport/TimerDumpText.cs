using System.Globalization;
using System.Text.RegularExpressions;

namespace LeakOperator.TestSupport;

/// <summary>
/// The operator's and the lab's /debug/timers text (goroutine?debug=1's shape): one line per group,
/// <c>count @ owner [kind, period]</c>, the owner being the method that awaits the timer.
/// </summary>
public static class TimerDumpText
{
    /// <summary>The owner of the leaky task leak's timers: each loop awaits its PeriodicTimer there.</summary>
    public const string LeakyTaskLoop = "LeakOperator.Leaks.Tasks.LeakyTaskLeak+TimerLoop.LoopAsync";

    /// <summary>Timers of the groups owned by <paramref name="owner"/> (of <paramref name="kind"/>, when given); 0 when none.</summary>
    public static long Count(string dump, string owner, string? kind = null) =>
        Regex.Matches(dump, $@"(?m)^(\d+) @ {Regex.Escape(owner)} \[{Regex.Escape(kind ?? "")}")
            .Sum(m => long.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture));
}
