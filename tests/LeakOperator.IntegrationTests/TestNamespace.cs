using k8s;
using LeakOperator.IntegrationTests.ControlPlane;
using LeakOperator.Operator.Api;

namespace LeakOperator.IntegrationTests;

/// <summary>
/// A namespace for one test. On dispose it removes every LeakTest left in it (finalizers first, since the operator
/// that would release them may be gone), so later tests' operators never meet another test's objects.
/// </summary>
public sealed class TestNamespace(ControlPlaneFixture fixture, string name) : IAsyncDisposable
{
    public string Name { get; } = name;

    public static async Task<TestNamespace> CreateAsync(ControlPlaneFixture fixture, string prefix) =>
        new(fixture, await fixture.NewNamespaceAsync(prefix));

    public static implicit operator string(TestNamespace ns) => ns.Name;

    public override string ToString() => Name;

    public async ValueTask DisposeAsync()
    {
        var objects = new LeakTestObjects(fixture.Admin);
        foreach (var test in (await objects.ListAsync(Name)).Values)
        {
            for (int attempt = 0; attempt < 5; attempt++)
            {
                var current = await objects.GetAsync(Name, test.Metadata.Name);
                if (current is null)
                {
                    break;
                }

                current.Metadata.Finalizers = [];
                try
                {
                    await objects.Client.ReplaceAsync(current, CancellationToken.None);
                    break;
                }
                catch (k8s.Autorest.HttpOperationException e) when (e.Response.StatusCode == System.Net.HttpStatusCode.Conflict)
                {
                }
            }

            await objects.DeleteAsync(Name, test.Metadata.Name);
        }
    }
}
