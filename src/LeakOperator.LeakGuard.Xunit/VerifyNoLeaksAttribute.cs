using System.Reflection;
using Xunit.Sdk;

namespace LeakOperator.Diagnostics.Xunit;

/// <summary>
/// Fails each test that leaves timers, sockets, HTTP client connections or threads behind: a guard starts before the
/// test method and verifies after it, before the test class is disposed (so what the constructor or
/// <c>InitializeAsync</c> made is part of the start, and what the test made must be gone when the method returns).
/// Put it on the assembly (<c>[assembly: VerifyNoLeaks]</c>, the whole-suite mode like goleak's
/// <c>VerifyTestMain</c>, but naming the test that leaked), on a class or on a method; exempt a test with
/// <see cref="AllowLeaksAttribute"/>.
/// </summary>
/// <remarks>
/// The readings are process-wide, so guarded tests must run one at a time
/// (<c>[assembly: CollectionBehavior(DisableTestParallelization = true)]</c>). A guarded test that overlaps another
/// fails with that explanation rather than with someone else's leftovers.
/// </remarks>
[AttributeUsage(AttributeTargets.Assembly | AttributeTargets.Class | AttributeTargets.Method, AllowMultiple = false)]
public sealed class VerifyNoLeaksAttribute : BeforeAfterTestAttribute
{
    /// <summary>The test framework's own timers (xunit's, the test host's), which start and stop as the run goes.</summary>
    public static IReadOnlyList<string> TestFrameworkOwners { get; } = ["Xunit.", "Microsoft.VisualStudio.TestPlatform.", "Microsoft.TestPlatform."];

    // The guard of the test running now. Tests run one at a time (checked below), so one slot is enough; the lock
    // orders a Before and an After that overlap by mistake.
    private static readonly Lock s_gate = new();
    private static LeakGuard? s_current;
    private static int s_running;
    private static bool s_overlapped;

    /// <summary>Owner prefixes whose timers are ignored (see <see cref="LeakGuardOptions.IgnoreOwner"/>).</summary>
    public string[] IgnoreOwners { get; set; } = [];

    /// <summary>Thread-name prefixes that are ignored.</summary>
    public string[] IgnoreThreads { get; set; } = [];

    /// <summary>How long to wait for leftovers to wind down, in milliseconds (default 2,000).</summary>
    public int SettleTimeoutMilliseconds { get; set; } = 2_000;

    /// <summary>What is checked (default: timers, sockets, HTTP connections, threads).</summary>
    public LeakChecks Checks { get; set; } = LeakChecks.Default;

    /// <summary>When above 0, the GC heap may grow at most this many bytes per test.</summary>
    public long HeapGrowthLimitBytes { get; set; }

    /// <inheritdoc/>
    public override void Before(MethodInfo methodUnderTest)
    {
        var options = new LeakGuardOptions
        {
            Checks = Checks,
            SettleTimeout = TimeSpan.FromMilliseconds(SettleTimeoutMilliseconds),
            HeapGrowthLimitBytes = HeapGrowthLimitBytes > 0 ? HeapGrowthLimitBytes : null,
        };
        foreach (var owner in TestFrameworkOwners.Concat(IgnoreOwners))
        {
            options.IgnoreOwner(owner);
        }

        foreach (var thread in IgnoreThreads)
        {
            options.IgnoreThread(thread);
        }

        lock (s_gate)
        {
            // Increment: how many guarded tests are between their Before and After; above one, readings mix.
            s_overlapped |= ++s_running > 1;
            s_current = LeakGuard.Start(options);
        }
    }

    /// <inheritdoc/>
    public override void After(MethodInfo methodUnderTest)
    {
        ArgumentNullException.ThrowIfNull(methodUnderTest);
        LeakGuard? guard;
        bool overlapped;
        lock (s_gate)
        {
            guard = s_current;
            overlapped = s_overlapped;
            s_current = null;
            if (--s_running == 0)
            {
                s_overlapped = false;
            }
        }

        if (AllowLeaksAttribute.Exempts(methodUnderTest))
        {
            return;
        }

        if (overlapped)
        {
            throw new InvalidOperationException(
                "LeakGuard: this test ran at the same time as another guarded test, so what it left cannot be told from " +
                "what the other left. Run guarded tests one at a time: [assembly: CollectionBehavior(DisableTestParallelization = true)].");
        }

        guard?.VerifyNone();
    }
}
