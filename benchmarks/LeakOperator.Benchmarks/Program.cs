using BenchmarkDotNet.Running;

// make bench: every benchmark, BenchmarkDotNet's short job, summary tables printed at the end.
BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
