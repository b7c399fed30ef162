using System.Reflection;

namespace LeakOperator.Tests;

/// <summary>
/// The design's dependency direction, read from the compiled assemblies' references (what the build actually linked,
/// not what a project file says): the controller runtime knows nothing of leaks, Timing and LeakGuard depend on
/// nothing of ours, and only the host sees everything.
/// </summary>
public sealed class DependencyDirectionTests
{
    public static TheoryData<string, string[]> Allowed => new()
    {
        { "LeakOperator.Timing", [] },
        { "LeakOperator.LeakGuard", [] },
        { "LeakOperator.Controller", [] },
        { "LeakOperator.Leaks", ["LeakOperator.Timing", "LeakOperator.LeakGuard"] },
        { "LeakOperator", ["LeakOperator.Controller", "LeakOperator.Leaks", "LeakOperator.Timing", "LeakOperator.LeakGuard"] },
    };

    [Theory]
    [MemberData(nameof(Allowed))]
    public void An_assembly_references_only_the_ones_of_ours_below_it(string assembly, string[] allowed)
    {
        var ours = Assembly.Load(assembly).GetReferencedAssemblies()
            .Select(a => a.Name!)
            .Where(name => name == "LeakOperator" || name.StartsWith("LeakOperator.", StringComparison.Ordinal))
            .Order(StringComparer.Ordinal)
            .ToList();

        var unexpected = ours.Except(allowed).ToList();
        Assert.True(unexpected.Count == 0, $"{assembly} references {string.Join(", ", unexpected)}, which it must not depend on");
    }
}
