namespace LeakOperator.Diagnostics;

/// <summary>Thrown by <see cref="LeakGuard.VerifyNone"/> when a scope left something behind; the message lists it.</summary>
public sealed class LeakGuardException : Exception
{
    /// <summary>A failure for these findings.</summary>
    public LeakGuardException(LeakFindings findings)
        : base(findings?.Describe())
    {
        Findings = findings ?? throw new ArgumentNullException(nameof(findings));
    }

    /// <summary>What was left behind.</summary>
    public LeakFindings Findings { get; }
}
