using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;
using LeakOperator.Diagnostics;
using LeakOperator.Diagnostics.Xunit;

// These tests read process-wide counters (scheduled timers, sockets, GC heap); tests running beside them would move them.
[assembly: CollectionBehavior(DisableTestParallelization = true)]

// Every test must leave no timer, socket, connection or thread behind (LeakGuard, per test): a leak a test makes on
// purpose is released before it ends, or the next test's process-wide counts would start from it.
[assembly: VerifyNoLeaks]

namespace LeakOperator.Leaks.Tests;

internal static class TestProcessStart
{
    /// <summary>The HTTP client meter counts only from when a listener exists: start it before any test connects.</summary>
    [ModuleInitializer]
    [SuppressMessage("Usage", "CA2255:The 'ModuleInitializer' attribute should not be used in libraries", Justification = "A test assembly: this is its process start.")]
    internal static void StartListeners() => HttpClientConnections.Start();
}
