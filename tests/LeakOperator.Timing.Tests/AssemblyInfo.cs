// Some tests count process-wide things (open tickers, scheduled timers); tests running beside them would move the counts.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
