using LeakOperator.Diagnostics.Xunit;

// LeakGuard reads process-wide state, so the guarded tests run one at a time (the suite takes seconds either way).
[assembly: CollectionBehavior(DisableTestParallelization = true)]

// Every test must leave no timer, socket, connection or thread behind (LeakGuard, per test).
[assembly: VerifyNoLeaks]
