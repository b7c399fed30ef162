using LeakOperator.Diagnostics.Xunit;

// Every test of this assembly fails if it leaves a timer, socket, HTTP connection or thread behind.
[assembly: VerifyNoLeaks]

// The guard reads the whole process, so tests run one at a time.
[assembly: Xunit.CollectionBehavior(DisableTestParallelization = true)]
