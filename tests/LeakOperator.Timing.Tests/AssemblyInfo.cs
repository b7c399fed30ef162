using LeakOperator.Diagnostics.Xunit;

// Some tests count process-wide things (open tickers, scheduled timers); tests running beside them would move the counts.
[assembly: CollectionBehavior(DisableTestParallelization = true)]

// Every test must leave no timer, socket, connection or thread behind (LeakGuard, per test).
[assembly: VerifyNoLeaks]
