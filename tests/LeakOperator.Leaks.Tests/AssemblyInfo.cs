using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;
using LeakOperator.Leaks.Readings;

// These tests read process-wide counters (scheduled timers, sockets, GC heap); tests running beside them would move them.
[assembly: CollectionBehavior(DisableTestParallelization = true)]

namespace LeakOperator.Leaks.Tests;

internal static class TestProcessStart
{
    /// <summary>The HTTP client meter counts only from when a listener exists: start it before any test connects.</summary>
    [ModuleInitializer]
    [SuppressMessage("Usage", "CA2255:The 'ModuleInitializer' attribute should not be used in libraries", Justification = "A test assembly: this is its process start.")]
    internal static void StartListeners() => HttpClientConnections.Start();
}
