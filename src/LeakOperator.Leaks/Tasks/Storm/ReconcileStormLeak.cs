using LeakOperator.Leaks.Tasks.Patterns;

namespace LeakOperator.Leaks.Tasks.Storm;

/// <summary>
/// The write-up's reconcile storm: a ticker started inside the reconcile, whose ticks re-enqueue the object.
/// Leaky (<see cref="LeakyTaskLeak"/>): every reconcile starts one more loop nobody stops, every loop's ticks cause
/// more reconciles, and those start more loops, until a cap says no. Safe (<see cref="SafeTaskLeak"/>): every
/// reconcile asks the per-object registry, so one SafeTicker per object exists however often it is asked, bound to
/// the object's lifetime. Either way the inner variant's ticks re-enqueue; only reconciles create units.
/// </summary>
/// <param name="direct">The write-up's own shape (<see cref="TaskPattern.ReconcileStormDirect"/>): the leaky ticks call
/// the reconcile directly instead of re-enqueueing; the safe ticks do not reconcile at all.</param>
internal sealed class ReconcileStormLeak(ILeak inner, bool direct = false) : ILeak, IReconcileDriven
{
    public const string Reconciles = "reconciles";

    private long _reconciles;

    public string Pattern => $"{(direct ? TaskPattern.ReconcileStormDirect : TaskPattern.ReconcileStorm).ToWire()}-{(inner is LeakyTaskLeak ? "ticker-per-reconcile" : "safe-ticker-per-object")}";

    /// <summary>The rate driver's steps do nothing here: reconciles drive this leak.</summary>
    public ValueTask StepAsync(int units, CancellationToken cancellationToken) => ValueTask.CompletedTask;

    public void OnReconcile()
    {
        Interlocked.Increment(ref _reconciles);

        // Both inner variants step synchronously; one reconcile is one "make sure a ticker runs" request.
        var step = inner.StepAsync(1, CancellationToken.None);
        if (!step.IsCompletedSuccessfully)
        {
            step.AsTask().GetAwaiter().GetResult();
        }
    }

    public long MeasureLive() => inner.MeasureLive();

    public IReadOnlyDictionary<string, double> Evidence() =>
        new Dictionary<string, double>(inner.Evidence(), StringComparer.Ordinal) { [Reconciles] = Interlocked.Read(ref _reconciles) };

    public ValueTask ReleaseAsync() => inner.ReleaseAsync();
}
