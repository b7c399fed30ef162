using System.Reflection;

namespace LeakOperator.Diagnostics.Xunit;

/// <summary>
/// Exempts a test (or every test of a class) from <see cref="VerifyNoLeaksAttribute"/>: for a test whose point is to
/// leak, or one that must leave something for a later test. The reason is required, so the exemption says why.
/// </summary>
[AttributeUsage(AttributeTargets.Class | AttributeTargets.Method, AllowMultiple = false)]
public sealed class AllowLeaksAttribute(string reason) : Attribute
{
    /// <summary>Why this test may leave things behind.</summary>
    public string Reason { get; } = reason;

    internal static bool Exempts(MethodInfo test) =>
        test.GetCustomAttribute<AllowLeaksAttribute>() is not null || test.DeclaringType?.GetCustomAttribute<AllowLeaksAttribute>(inherit: true) is not null;
}
