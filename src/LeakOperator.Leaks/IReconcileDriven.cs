namespace LeakOperator.Leaks;

/// <summary>A leak whose units are created by the host's reconciles of its owner rather than by the rate driver.</summary>
public interface IReconcileDriven
{
    /// <summary>The host reconciled the owner: do what a reconcile of the leaking (or fixed) controller does.</summary>
    void OnReconcile();
}
