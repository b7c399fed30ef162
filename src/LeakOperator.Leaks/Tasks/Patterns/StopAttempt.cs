namespace LeakOperator.Leaks.Tasks.Patterns;

/// <summary>
/// What one "start a ticker, then stop it" left behind. A stop that worked leaves nothing; a failed one leaves a unit
/// the injection holds until release: a loop still running, a timer still scheduled, or the record of a broken stop.
/// </summary>
internal sealed class StopAttempt(Func<bool> isLive, Action release)
{
    /// <summary>The stop worked: nothing is left to hold.</summary>
    public static StopAttempt Clean { get; } = new(static () => false, static () => { });

    /// <summary>Whether what the failed stop left behind is still there.</summary>
    public bool IsLive => isLive();

    public bool Leaked => !ReferenceEquals(this, Clean);

    /// <summary>Does what the buggy code never did (dispose, kill); called once, on release.</summary>
    public void Release() => release();

    /// <summary>A failed stop whose trace is permanent (a double cleanup, a late tick): live until released.</summary>
    public static StopAttempt Recorded() => new(static () => true, static () => { });
}
