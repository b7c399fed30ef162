using LeakOperator.Leaks.Injections;

namespace LeakOperator.Operator;

/// <summary>
/// Keeps status refreshes (writes that change only numbers, and the requeues that make them) under an operator-wide
/// rate, however many LeakTests inject: at 2 s each, 1,000 LeakTests would ask the API server for 500 writes a second
/// and starve the reconciles that matter (new objects, spec changes). A handful of LeakTests keep the floors.
/// Writes a user acts on (phase, conditions, generation) are never paced.
/// </summary>
public sealed class StatusPacing(double refreshesPerSecond)
{
    /// <summary>controller-runtime's default client limit (20 QPS): a whole Go client gets this much.</summary>
    public const double DefaultRefreshesPerSecond = 20;

    /// <summary>
    /// A write may follow the last one after this share of the refresh interval: a refresh reconcile starts one
    /// interval after the previous reconcile, but that one wrote a little later, so a full interval would skip
    /// every other refresh.
    /// </summary>
    private const double WriteShareOfRefresh = 0.8;

    /// <summary>How often status is refreshed while a test injects (longer when many inject).</summary>
    public static readonly TimeSpan InjectingRefresh = TimeSpan.FromSeconds(2);

    /// <summary>How often status is refreshed while a leaky test holds what it leaked (longer when many inject).</summary>
    public static readonly TimeSpan HoldingRefresh = TimeSpan.FromSeconds(15);

    /// <summary>
    /// Numbers-only writes of one LeakTest are at least this far apart (longer when many inject): a storm of reconciles
    /// must not become a storm of writes and watch events.
    /// </summary>
    public static readonly TimeSpan MinStatusWriteInterval = TimeSpan.FromSeconds(1);

    public double RefreshesPerSecond { get; } = refreshesPerSecond > 0
        ? refreshesPerSecond
        : throw new ArgumentOutOfRangeException(nameof(refreshesPerSecond), refreshesPerSecond, "must be positive");

    /// <summary>
    /// How long each of <paramref name="injections"/> LeakTests waits between refreshes so that together they stay
    /// within <see cref="RefreshesPerSecond"/>; never less than <paramref name="floor"/>.
    /// </summary>
    public TimeSpan RefreshInterval(TimeSpan floor, int injections) => Max(floor, Spread(injections));

    /// <summary>When a LeakTest whose injection is in <paramref name="phase"/> is refreshed next; null once nothing
    /// changes any more.</summary>
    public TimeSpan? RefreshAfter(InjectionPhase phase, int injections) => phase switch
    {
        InjectionPhase.Injecting or InjectionPhase.Pending => RefreshInterval(InjectingRefresh, injections),
        InjectionPhase.Holding => RefreshInterval(HoldingRefresh, injections),
        _ => null,
    };

    /// <summary>The least time between two numbers-only writes of one LeakTest; never less than <paramref name="floor"/>.</summary>
    public TimeSpan MinWriteInterval(TimeSpan floor, int injections) => Max(floor, Spread(injections) * WriteShareOfRefresh);

    private TimeSpan Spread(int injections) => TimeSpan.FromSeconds(injections / RefreshesPerSecond);

    private static TimeSpan Max(TimeSpan a, TimeSpan b) => a > b ? a : b;
}
