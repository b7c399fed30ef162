namespace LeakOperator.Leaks.Injections;

/// <summary>Where an injection is in its life; the LeakTest status phases map onto these.</summary>
public enum InjectionPhase
{
    Pending,
    Injecting,
    /// <summary>Injection time is over and a leaky injection keeps what it leaked (that is what a leak is).</summary>
    Holding,
    Releasing,
    /// <summary>Everything is given back: a safe injection after its duration, or any injection after release.</summary>
    Completed,
}
