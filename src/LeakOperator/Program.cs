using LeakOperator.CommandLine;
using LeakOperator.Diagnostics;

// The System.Net.Http meter reports connection changes only to listeners that exist when they happen.
HttpClientConnections.Start();

using var shutdown = new CancellationTokenSource();
ShutdownSignals.Register(shutdown);

return await new LeakOperatorCommandLine().InvokeAsync(args, shutdown.Token);
