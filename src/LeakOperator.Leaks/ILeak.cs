namespace LeakOperator.Leaks;

/// <summary>
/// One variant (leaky or safe) of one leak type. An <see cref="Injections.Injection"/> drives it; it takes every unit
/// it creates from its <see cref="Injections.UnitLedger"/> first, so caps hold whatever it is asked for.
/// </summary>
public interface ILeak
{
    /// <summary>How this variant leaks or avoids leaking, in a word or two (shown by /debug/leaks).</summary>
    string Pattern { get; }

    /// <summary>Does one step's work for up to <paramref name="units"/> units.</summary>
    ValueTask StepAsync(int units, CancellationToken cancellationToken);

    /// <summary>Units held right now, counted from the resources themselves (after a full GC for the honest number).</summary>
    long MeasureLive();

    /// <summary>Secondary readings that show the leak from another side (ticks still firing, client-side connections).</summary>
    IReadOnlyDictionary<string, double> Evidence();

    /// <summary>Gives every unit back, deterministically: nothing here waits for a GC.</summary>
    ValueTask ReleaseAsync();
}
