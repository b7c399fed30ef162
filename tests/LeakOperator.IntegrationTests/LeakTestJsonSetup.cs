using System.Runtime.CompilerServices;
using System.Text.Json.Serialization.Metadata;
using k8s;
using LeakOperator.Operator.Api;

namespace LeakOperator.IntegrationTests;

/// <summary>
/// The client's JSON learns our types before any test reads a LeakTest, as the operator's commands do first; then, for
/// this test process only, reflection for the tests' own shapes (LeakTestObjects' lists and the like). The operator
/// under test is the NativeAOT build, which has no such fallback: a type its context lacks fails there.
/// </summary>
internal static class LeakTestJsonSetup
{
#pragma warning disable CA2255 // A test assembly is where this belongs: it is nobody's library.
    [ModuleInitializer]
    internal static void Register()
    {
        LeakTestJson.Register();
        KubernetesJson.AddJsonOptions(o => o.TypeInfoResolver = JsonTypeInfoResolver.Combine(o.TypeInfoResolver, new DefaultJsonTypeInfoResolver()));
    }
#pragma warning restore CA2255
}
