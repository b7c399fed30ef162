namespace LeakOperator.Timing;

/// <summary>
/// The life of a <see cref="SafeTicker"/>: Running ⇄ Stopped (Stop / Reset), and from either one-way to Closed.
/// Values are ints so every transition can be a compare-and-swap on one field.
/// </summary>
public enum TickerState
{
    Stopped = 0,
    Running = 1,
    Closed = 2,
}
