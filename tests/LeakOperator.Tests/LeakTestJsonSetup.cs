using System.Runtime.CompilerServices;
using LeakOperator.Operator.Api;

namespace LeakOperator.Tests;

/// <summary>The client's JSON learns our types before any test reads a LeakTest (as the operator's commands do first).</summary>
internal static class LeakTestJsonSetup
{
#pragma warning disable CA2255 // A test assembly is where this belongs: it is nobody's library.
    [ModuleInitializer]
    internal static void Register() => LeakTestJson.Register();
#pragma warning restore CA2255
}
