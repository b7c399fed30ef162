using LeakOperator.Controller.Queue;
using LeakOperator.Leaks;
using LeakOperator.Leaks.Injections;

namespace LeakOperator.Lab;

/// <summary>
/// A stand-in controller for the lab: the operator's own work queue and two workers that "reconcile" an injection by
/// telling it so, and nothing else. Enough for the reconcile storm to run without a cluster: the storm's ticks
/// re-enqueue their owner here, as they do into the operator's queue.
/// </summary>
internal sealed class LabReconcileLoop : IAsyncDisposable
{
    private const int Workers = 2;

    private readonly WorkQueue<LeakOwner> _queue = new("lab");
    private readonly Dictionary<LeakOwner, Injection> _injections = [];
    private readonly List<Task> _workers;

    public LabReconcileLoop()
    {
        _workers = [.. Enumerable.Range(0, Workers).Select(_ => Task.Run(WorkAsync))];
    }

    /// <summary>What an injection's ticks call to ask for another reconcile of its owner.</summary>
    public Action RequestFor(LeakOwner owner) => () => _queue.Add(owner);

    /// <summary>
    /// What the direct storm's ticks call instead: the "reconcile" itself, run now on the tick's own thread, outside
    /// the queue, as the write-up's goroutine calls it. The lab has no API server, so it is only the reconcile's
    /// telling the injection so; the operator's also reads and writes status.
    /// </summary>
    public Func<CancellationToken, Task> ReconcileDirectlyFor(LeakOwner owner) => _ =>
    {
        Injection? injection;
        lock (_injections)
        {
            _injections.TryGetValue(owner, out injection);
        }

        injection?.OnReconcile();
        return Task.CompletedTask;
    };

    /// <summary>Starts reconciling <paramref name="injection"/>, as a created object's first watch event would.</summary>
    public void Track(Injection injection)
    {
        lock (_injections)
        {
            _injections[injection.Owner] = injection;
        }

        _queue.Add(injection.Owner);
    }

    public async ValueTask DisposeAsync()
    {
        _queue.ShutDown();
        await Task.WhenAll(_workers).ConfigureAwait(false);
        _queue.Dispose();
    }

    private async Task WorkAsync()
    {
        while (await _queue.TakeAsync(CancellationToken.None).ConfigureAwait(false) is (true, var owner))
        {
            Injection? injection;
            lock (_injections)
            {
                _injections.TryGetValue(owner, out injection);
            }

            injection?.OnReconcile();
            _queue.Done(owner);
        }
    }
}
