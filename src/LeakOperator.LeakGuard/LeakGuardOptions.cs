namespace LeakOperator.Diagnostics;

/// <summary>How a guard judges what a scope left behind; goleak's options, for .NET.</summary>
public sealed class LeakGuardOptions
{
    private readonly List<string> _ignoredOwners = [];
    private readonly List<string> _ignoredThreads = [];

    /// <summary>What is compared. Default: timers, sockets, HTTP connections and threads.</summary>
    public LeakChecks Checks { get; set; } = LeakChecks.Default;

    /// <summary>
    /// How long verification waits for leftovers to wind down (a loop seeing its cancellation, a connection closing)
    /// before it reports them: it collects garbage and looks again, backing off from 1 ms to 100 ms, until nothing is
    /// left or this time is up. goleak's most reported flakiness is goroutines still ending; this is its retry loop.
    /// </summary>
    public TimeSpan SettleTimeout { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>
    /// True (the default): timers live at <see cref="LeakGuard.Start(LeakGuardOptions?)"/> are not reported (goleak's
    /// <c>IgnoreCurrent</c>). False: every timer live at verification counts unless an ignore matches it. Sockets,
    /// connections, threads and the heap are always compared with the start: the process had some before.
    /// </summary>
    public bool IgnoreCurrent { get; set; } = true;

    /// <summary>
    /// The runtime's own long-lived timers and threads (<see cref="DefaultIgnores"/>) are ignored. True by default.
    /// </summary>
    public bool UseDefaultIgnores { get; set; } = true;

    /// <summary>
    /// When set, the GC heap after a full collection may grow at most this many bytes, and <see cref="LeakChecks.Heap"/>
    /// is checked. Off by default: a heap grows for reasons that are not leaks (caches, JIT, pools).
    /// </summary>
    public long? HeapGrowthLimitBytes { get; set; }

    /// <summary>Owner prefixes whose timers are ignored (goleak's <c>IgnoreTopFunction</c>).</summary>
    public IReadOnlyList<string> IgnoredOwners => _ignoredOwners;

    /// <summary>Thread-name prefixes that are ignored.</summary>
    public IReadOnlyList<string> IgnoredThreads => _ignoredThreads;

    /// <summary>
    /// Ignores timers whose owner starts with <paramref name="ownerPrefix"/>: a method
    /// (<c>"MyApp.Cache.RefreshLoopAsync"</c>), a type (<c>"MyApp.Cache."</c>) or a namespace.
    /// </summary>
    public LeakGuardOptions IgnoreOwner(string ownerPrefix)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(ownerPrefix);
        _ignoredOwners.Add(ownerPrefix);
        return this;
    }

    /// <summary>Ignores timers owned by any method of <paramref name="type"/> (and the types nested in it).</summary>
    public LeakGuardOptions IgnoreType(Type type)
    {
        ArgumentNullException.ThrowIfNull(type);
        _ignoredOwners.Add((type.FullName ?? type.Name).Replace('+', '.') + ".");
        return this;
    }

    /// <summary>Ignores threads whose name starts with <paramref name="namePrefix"/> (a name is cut to 15 characters).</summary>
    public LeakGuardOptions IgnoreThread(string namePrefix)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(namePrefix);
        _ignoredThreads.Add(namePrefix.Length > 15 ? namePrefix[..15] : namePrefix);
        return this;
    }

    internal bool IsIgnoredOwner(string owner) =>
        Matches(owner, _ignoredOwners) || (UseDefaultIgnores && Matches(owner, DefaultIgnores.TimerOwners));

    internal bool IsIgnoredThread(string name) =>
        Matches(name, _ignoredThreads) || (UseDefaultIgnores && DefaultIgnores.IsRuntimeThread(name));

    private static bool Matches(string value, IEnumerable<string> prefixes) =>
        prefixes.Any(prefix => value.StartsWith(prefix, StringComparison.Ordinal) || value.Contains(" + " + prefix, StringComparison.Ordinal));
}
