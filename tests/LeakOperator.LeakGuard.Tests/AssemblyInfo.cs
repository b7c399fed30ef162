// The guards read process-wide state: a test running beside another would see the other's timers and sockets.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
