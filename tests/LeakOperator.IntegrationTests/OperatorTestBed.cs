using LeakOperator.IntegrationTests.ControlPlane;

namespace LeakOperator.IntegrationTests;

/// <summary>
/// What most tests here start from, written once: a namespace of their own, the client that makes LeakTests in it
/// and, when asked, one operator named after the namespace (<c>{prefix}-{namespace}</c>). Every test that uses it
/// sets these up, and takes them down, the same way: the operator goes first, so it never works on a namespace being
/// emptied, then the namespace with whatever LeakTests are left in it (<see cref="TestNamespace"/>).
/// </summary>
/// <example>
/// <code>
/// await using var bed = await OperatorTestBed.StartAsync(fixture, "life", "--leader-elect", "false");
/// var (ns, objects, op) = bed;
/// </code>
/// </example>
public sealed class OperatorTestBed : IAsyncDisposable
{
    private readonly RunningOperator? _operator;

    private OperatorTestBed(TestNamespace ns, LeakTestObjects objects, RunningOperator? op)
    {
        Namespace = ns;
        Objects = objects;
        _operator = op;
    }

    public TestNamespace Namespace { get; }

    public LeakTestObjects Objects { get; }

    /// <summary>The operator <see cref="StartAsync"/> started; a bed from <see cref="CreateAsync"/> has none.</summary>
    public RunningOperator Operator =>
        _operator ?? throw new InvalidOperationException("this test bed was created without an operator (CreateAsync)");

    /// <summary>A namespace and the client for its LeakTests, no operator.</summary>
    public static async Task<OperatorTestBed> CreateAsync(ControlPlaneFixture fixture, string prefix) =>
        new(await TestNamespace.CreateAsync(fixture, prefix), new LeakTestObjects(fixture.Admin), null);

    /// <summary>A namespace, the client for its LeakTests, and an operator run with <paramref name="operatorArgs"/>
    /// whose identity is <c>{prefix}-{namespace}</c>. If the operator does not start, the namespace is removed.</summary>
    public static async Task<OperatorTestBed> StartAsync(ControlPlaneFixture fixture, string prefix, params string[] operatorArgs)
    {
        var ns = await TestNamespace.CreateAsync(fixture, prefix);
        var objects = new LeakTestObjects(fixture.Admin);
        try
        {
            var op = await RunningOperator.StartAsync(fixture, $"{prefix}-{ns}", operatorArgs);
            return new OperatorTestBed(ns, objects, op);
        }
        catch
        {
            await ns.DisposeAsync();
            throw;
        }
    }

    public void Deconstruct(out TestNamespace ns, out LeakTestObjects objects)
    {
        ns = Namespace;
        objects = Objects;
    }

    public void Deconstruct(out TestNamespace ns, out LeakTestObjects objects, out RunningOperator op)
    {
        ns = Namespace;
        objects = Objects;
        op = Operator;
    }

    /// <summary>The operator first, then the namespace, as the <c>await using</c> lines this replaces did.</summary>
    public async ValueTask DisposeAsync()
    {
        try
        {
            if (_operator is not null)
            {
                await _operator.DisposeAsync();
            }
        }
        finally
        {
            await Namespace.DisposeAsync();
        }
    }
}
