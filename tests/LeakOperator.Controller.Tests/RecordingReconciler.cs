using LeakOperator.Controller.Reconciling;
using LeakOperator.Controller.Resources;
using LeakOperator.Controller.Tests.FakeApi;

namespace LeakOperator.Controller.Tests;

internal enum Call
{
    Reconcile,
    Finalize,
    Deleted,
    Stopped,
}

/// <summary>One call the controller made; the object as the reconciler was handed it (a copy).</summary>
internal sealed record ReconcilerCall(Call Method, ObjectKey? Key, Widget? Object);

/// <summary>
/// A reconciler that records every call, in order, and by default does nothing and succeeds. A test gives
/// <see cref="OnReconcile"/> (and the others) to fail, block or requeue; the number passed is which call of that
/// method this is for that key, from 1.
/// </summary>
internal sealed class RecordingReconciler : IReconciler<Widget>
{
    private readonly Lock _gate = new();
    private readonly List<ReconcilerCall> _calls = [];

    public Func<Widget, int, CancellationToken, Task<ReconcileResult>>? OnReconcile { get; init; }

    public Func<Widget, int, CancellationToken, Task>? OnFinalize { get; init; }

    public IReadOnlyList<ReconcilerCall> Calls
    {
        get
        {
            lock (_gate)
            {
                return [.. _calls];
            }
        }
    }

    public IReadOnlyList<ReconcilerCall> CallsOf(Call method, ObjectKey key) =>
        [.. Calls.Where(c => c.Method == method && c.Key == key)];

    public int Count(Call method, ObjectKey key) => CallsOf(method, key).Count;

    public async Task<ReconcileResult> ReconcileAsync(Widget obj, CancellationToken cancellationToken)
    {
        int n = Record(Call.Reconcile, ObjectKey.Of(obj), obj);
        return OnReconcile is { } reconcile ? await reconcile(obj, n, cancellationToken) : ReconcileResult.Done;
    }

    public async Task FinalizeAsync(Widget obj, CancellationToken cancellationToken)
    {
        int n = Record(Call.Finalize, ObjectKey.Of(obj), obj);
        if (OnFinalize is { } finalize)
        {
            await finalize(obj, n, cancellationToken);
        }
    }

    public Task DeletedAsync(ObjectKey key, CancellationToken cancellationToken)
    {
        Record(Call.Deleted, key, null);
        return Task.CompletedTask;
    }

    public Task StoppedAsync()
    {
        Record(Call.Stopped, null, null);
        return Task.CompletedTask;
    }

    public override string ToString() =>
        string.Join(", ", Calls.Select(c => $"{c.Method} {c.Key}{(c.Object is { } o ? $" (generation {o.Metadata.Generation}, resourceVersion {o.Metadata.ResourceVersion})" : "")}"));

    private int Record(Call method, ObjectKey? key, Widget? obj)
    {
        lock (_gate)
        {
            _calls.Add(new ReconcilerCall(method, key, obj is null ? null : KubeObjects.DeepCopy(obj)));
            return _calls.Count(c => c.Method == method && c.Key == key);
        }
    }
}
