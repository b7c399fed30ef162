namespace LeakOperator.Operator.Api;

/// <summary>
/// The reasons on LeakTest conditions and events (CamelCase, as Kubernetes asks): what kubectl shows, and what a
/// user, an alert or the operator itself matches on, so each is written once here. The Ready condition's reason is
/// the phase, and the Leaking condition's the verdict.
/// </summary>
public static class LeakTestReasons
{
    /// <summary>Released on request (<see cref="LeakTest.ForceReleaseAnnotation"/>): a condition and an event; it also
    /// tells a later pass that a Completed status was not the injection's own end.</summary>
    public const string ForceReleased = "ForceReleased";

    /// <summary>The spec cannot run: a condition (with the problem's own reason on Ready) and an event.</summary>
    public const string InvalidSpec = "InvalidSpec";

    public const string Valid = "Valid";

    public const string InjectionRunning = "InjectionRunning";

    public const string InjectionEnded = "InjectionEnded";

    public const string NotJudgedYet = "NotJudgedYet";

    public const string WithinCaps = "WithinCaps";

    public const string CapReached = "CapReached";

    /// <summary>Event: an injection started for a generation.</summary>
    public const string InjectionStarted = "InjectionStarted";

    /// <summary>Event: the injection time is over and the leaky test holds what it leaked.</summary>
    public const string Holding = "Holding";

    /// <summary>Event: the injection time is over and everything is released.</summary>
    public const string Completed = "Completed";

    /// <summary>Event: a cap engaged.</summary>
    public const string Capped = "Capped";

    /// <summary>Event: released before deletion.</summary>
    public const string Released = "Released";
}
