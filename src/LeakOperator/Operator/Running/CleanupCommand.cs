using System.Diagnostics;
using k8s;
using LeakOperator.Controller.Reconciling;
using LeakOperator.Controller.Resources;
using LeakOperator.Operator.Api;

namespace LeakOperator.Operator.Running;

/// <summary>
/// `LeakOperator cleanup`: what `helm uninstall` runs first (the chart's pre-delete hook), while the operator still runs.
/// It deletes every LeakTest, waits for the operator to release each and remove its finalizer, and removes the
/// finalizer itself from any still there at the deadline (no operator running to release them, e.g. scaled to 0):
/// without that, a LeakTest outliving its operator would hang every later delete and `kubectl delete namespace`.
/// </summary>
internal static class CleanupCommand
{
    public static async Task<int> RunAsync(string? kubeconfig, string? context, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var (config, problem, source) = RunCommand.LoadConfiguration(kubeconfig, context);
        if (config is null)
        {
            await Console.Error.WriteLineAsync($"LeakOperator cleanup: no usable Kubernetes configuration: {problem}").ConfigureAwait(false);
            return ExitCodes.BadUsage;
        }

        using var kubernetes = new Kubernetes(config);
        var client = new CustomResourceClient<LeakTest>(kubernetes, LeakTest.Definition, fieldManager: RunCommand.Component);
        var watch = Stopwatch.StartNew();
        var (items, _) = await client.ListAsync(cancellationToken).ConfigureAwait(false);
        foreach (var test in items)
        {
            await client.DeleteAsync(ObjectKey.Of(test), cancellationToken).ConfigureAwait(false);
        }

        Console.Out.WriteLine($"LeakOperator cleanup ({source}): deleted {items.Count} LeakTests; waiting up to {timeout.TotalSeconds:0} s for the operator to release them");
        IReadOnlyList<LeakTest> left = items;
        while (left.Count > 0 && watch.Elapsed < timeout)
        {
            await Task.Delay(TimeSpan.FromMilliseconds(500), cancellationToken).ConfigureAwait(false);
            (left, _) = await client.ListAsync(cancellationToken).ConfigureAwait(false);
        }

        foreach (var test in left)
        {
            await ConflictRetry.WriteAsync(client, test, t => t.Metadata.Finalizers?.Remove(LeakTest.Finalizer) == true, client.ReplaceAsync, null, cancellationToken).ConfigureAwait(false);
        }

        Console.Out.WriteLine(left.Count == 0
            ? $"LeakOperator cleanup: the operator released all {items.Count} in {watch.Elapsed.TotalSeconds:0.0} s"
            : $"LeakOperator cleanup: {left.Count} of {items.Count} were not released within {timeout.TotalSeconds:0} s (is the operator running?); removed their finalizer so that they are deleted");
        return ExitCodes.Ok;
    }
}
