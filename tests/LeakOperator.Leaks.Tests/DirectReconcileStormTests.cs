using LeakOperator.Leaks.Injections;
using LeakOperator.Leaks.Tasks.Patterns;
using LeakOperator.TestSupport;

namespace LeakOperator.Leaks.Tests;

/// <summary>
/// The write-up's storm as its code has it, in the engine: each leaky tick awaits a reconcile it calls itself, and each
/// reconcile starts one more loop, until the cap. The safe twin's one ticker never reconciles. Release ends every loop
/// even while its reconcile is in flight (a LeakTest deleted mid-storm).
/// </summary>
public sealed class DirectReconcileStormTests
{
    private const int Cap = 64;

    [Fact]
    public async Task Leaky_loops_reconcile_directly_and_multiply_to_the_cap_and_release_ends_them_mid_reconcile()
    {
        var factory = new InjectionFactory(new LeakBudget(new LeakBudgetLimits(MemoryMiB: 64, TimerLoops: 10_000, Connections: 10)));
        var spec = InjectionSpec.Default(LeakType.Task, LeakMode.Leaky) with { TaskPattern = TaskPattern.ReconcileStormDirect, MaxUnits = Cap, TickInterval = TimeSpan.FromMilliseconds(50) };
        Injection? injection = null;
        long direct = 0;
        var blocked = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        injection = factory.Create(new LeakOwner("test", "storm"), spec, reconcileAgain: () => { }, reconcileDirectly: async cancellationToken =>
        {
            Interlocked.Increment(ref direct);
            injection!.OnReconcile();
            if (injection.Ledger.CapReason is not null)
            {
                // Capped: from here on every direct reconcile hangs on its API call until release cancels it.
                blocked.TrySetResult();
                await Task.Delay(Timeout.Infinite, cancellationToken);
            }
        });
        await using (injection)
        {
            injection.Start();
            injection.OnReconcile(); // the first, queued reconcile starts the first loop
            await Eventually.True(() => Task.FromResult(injection.MeasureLive() == Cap), () => $"{injection.MeasureLive()} loops of {Cap}", TimeSpan.FromSeconds(30));
            await blocked.Task.WaitAsync(TimeSpan.FromSeconds(30));
            Assert.True(Interlocked.Read(ref direct) >= Cap - 1, $"{direct} direct reconciles for {Cap} loops");
            Assert.True(injection.Evidence()["reconciles"] >= Cap, $"reconciles {injection.Evidence()["reconciles"]}");

            // Every loop is in a reconcile that never returns by itself; release must still end them all.
            await injection.ReleaseAsync().WaitAsync(TimeSpan.FromSeconds(30));
            Assert.Equal(0, injection.MeasureLive());
            Assert.Equal(0, injection.Ledger.Held);
        }
    }

    /// <summary>
    /// Reconciles racing a release (a LeakTest deleted while its direct reconciles run): a reconcile that passed the
    /// phase check just before the release must not start a loop the release no longer sees. Such a loop ticks
    /// forever and keeps its unit; the budget would never get it back.
    /// </summary>
    [Fact]
    public async Task A_reconcile_racing_the_release_leaves_no_loop_and_no_unit_behind()
    {
        const int Rounds = 40;
        const int Threads = 8;
        var budget = new LeakBudget(new LeakBudgetLimits(MemoryMiB: 64, TimerLoops: 100_000, Connections: 10));
        var factory = new InjectionFactory(budget);
        var spec = InjectionSpec.Default(LeakType.Task, LeakMode.Leaky) with { TaskPattern = TaskPattern.ReconcileStormDirect, MaxUnits = 50_000, TickInterval = TimeSpan.FromMinutes(10) };
        for (int round = 0; round < Rounds; round++)
        {
            var injection = factory.Create(new LeakOwner("test", $"race-{round}"), spec, reconcileAgain: () => { }, reconcileDirectly: _ => Task.CompletedTask);
            injection.Start();
            using var stop = new CancellationTokenSource();
            using var ready = new Barrier(Threads + 1);
            var reconcilers = Enumerable.Range(0, Threads).Select(_ => Task.Factory.StartNew(
                () =>
                {
                    ready.SignalAndWait();
                    while (!stop.IsCancellationRequested)
                    {
                        injection.OnReconcile();
                    }
                },
                TaskCreationOptions.LongRunning)).ToList();
            ready.SignalAndWait();
            await Eventually.True(() => Task.FromResult(injection.Ledger.Held >= 100), () => $"{injection.Ledger.Held} loops", TimeSpan.FromSeconds(30));

            // Released while eight threads are inside OnReconcile, as many direct reconciles are mid-storm.
            await injection.DisposeAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(30));
            await stop.CancelAsync();
            await Task.WhenAll(reconcilers).WaitAsync(TimeSpan.FromSeconds(30));

            Assert.True(injection.MeasureLive() == 0 && injection.Ledger.Held == 0, $"round {round}: {injection.MeasureLive()} loops live and {injection.Ledger.Held} units held after the release");
        }

        Assert.Equal(0, budget.Held(LeakType.Task));
    }

    [Fact]
    public async Task The_safe_twin_keeps_one_ticker_and_never_reconciles_from_it()
    {
        var factory = new InjectionFactory(new LeakBudget(new LeakBudgetLimits(MemoryMiB: 64, TimerLoops: 10_000, Connections: 10)));
        var spec = InjectionSpec.Default(LeakType.Task, LeakMode.Safe) with { TaskPattern = TaskPattern.ReconcileStormDirect, MaxUnits = Cap, TickInterval = TimeSpan.FromMilliseconds(50) };
        long direct = 0, requeued = 0;
        await using var injection = factory.Create(new LeakOwner("test", "storm-safe"), spec, reconcileAgain: () => Interlocked.Increment(ref requeued), reconcileDirectly: _ =>
        {
            Interlocked.Increment(ref direct);
            return Task.CompletedTask;
        });
        injection.Start();
        for (int i = 0; i < 50; i++)
        {
            injection.OnReconcile();
        }

        // Twenty ticks: a ticker that reconciled would have done so twenty times by then.
        await Eventually.True(
            () => Task.FromResult(injection.Evidence()["ticksDelivered"] >= 20),
            () => $"the safe ticker ticked {injection.Evidence()["ticksDelivered"]} times",
            TimeSpan.FromSeconds(30));
        Assert.Equal(1, injection.MeasureLive());
        Assert.Equal((0L, 0L), (Interlocked.Read(ref direct), Interlocked.Read(ref requeued)));
    }
}
