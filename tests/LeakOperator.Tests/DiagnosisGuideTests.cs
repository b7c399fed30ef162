using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;
using LeakOperator.TestSupport;

namespace LeakOperator.Tests;

/// <summary>
/// docs/diagnosing.md, run for real: dotnet-counters, dotnet-dump and dotnet-trace against a lab leaking timer loops
/// show what the guide says they show. The tools come from scripts/dotnet-tools.sh (make test-tools).
/// </summary>
public sealed partial class DiagnosisGuideTests
{
    private static readonly string s_tools = Environment.GetEnvironmentVariable("LEAKOPERATOR_DOTNET_TOOLS")
        ?? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".cache", "leakoperator", "dotnet-tools");

    [Fact]
    public async Task Counters_show_the_timer_count_climbing_and_a_dump_roots_every_leaked_loop_in_the_timer_queue_and_a_trace_reports()
    {
        string dir = Directory.CreateTempSubdirectory("diagnose-").FullName;
        // The JIT build, as `make lab` runs it: SOS (dumpheap, gcroot) reads only processes with the JIT runtime.
        await using var lab = OperatorProcess.StartJit("lab", "--leak", "task", "--duration", "120", "--port", "0");
        await lab.WaitForOutput(MetricsLine(), TimeSpan.FromSeconds(60));
        string pid = lab.Id.ToString(CultureInfo.InvariantCulture);

        // The one-liner of section 0, as the guide prints it, against this lab's port.
        string metricsUrl = await lab.WaitForOutput(MetricsLine(), TimeSpan.FromSeconds(5));
        string oneLiner = OneLiner().Match(await File.ReadAllTextAsync(Repository.PathOf("docs", "diagnosing.md"))).Groups[1].Value;
        Assert.Contains("localhost:9464/metrics", oneLiner, StringComparison.Ordinal);
        await Eventually.True(
            async () =>
            {
                var (_, printed, _) = await Command.RunAsync("bash", ["-c", oneLiner.Replace("localhost:9464/metrics", metricsUrl, StringComparison.Ordinal)]);
                var leaky = LeakyLoops().Match(printed);
                var timers = ActiveTimers().Match(printed);
                return leaky.Success && timers.Success && int.Parse(leaky.Groups[1].Value, CultureInfo.InvariantCulture) >= 20
                    && int.Parse(timers.Groups[1].Value, CultureInfo.InvariantCulture) >= int.Parse(leaky.Groups[1].Value, CultureInfo.InvariantCulture)
                    && printed.Contains("name=\"task-safe\"} 1", StringComparison.Ordinal);
            },
            "the one-liner shows the leaky loops climbing, the process's timers at least as many, and the safe side at 1",
            TimeSpan.FromSeconds(30));

        // dotnet-counters: dotnet.timer.count climbs second by second.
        string csv = Path.Combine(dir, "counters.csv");
        await Tool("dotnet-counters", "collect", "-p", pid, "--counters", "System.Runtime", "--refresh-interval", "1", "--duration", "00:00:06", "--format", "csv", "-o", csv);
        var timers = File.ReadLines(csv).Where(line => line.Contains("dotnet.timer.count", StringComparison.Ordinal))
            .Select(line => double.Parse(line[(line.LastIndexOf(',') + 1)..], CultureInfo.InvariantCulture)).ToList();
        Assert.True(timers.Count >= 3 && timers[^1] >= timers[0] + 20, $"dotnet.timer.count: {string.Join(", ", timers)}");

        // dotnet-dump: the leaked loops are on the heap, and gcroot walks from the timer queue to one of them.
        string dump = Path.Combine(dir, "lab.dmp");
        await Tool("dotnet-dump", "collect", "-p", pid, "-o", dump);
        string stat = await Tool("dotnet-dump", "analyze", dump, "-c", "dumpheap -stat -type LeakyTaskLeak+TimerLoop", "-c", "exit");
        Assert.Matches(@"\s(\d+)\s+[\d,]+\s+LeakOperator\.Leaks\.Tasks\.LeakyTaskLeak\+TimerLoop\s", stat);
        string addresses = await Tool("dotnet-dump", "analyze", dump, "-c", "dumpheap -short -type LeakyTaskLeak+TimerLoop", "-c", "exit");
        string address = HexAddress().Match(addresses).Value;
        string roots = await Tool("dotnet-dump", "analyze", dump, "-c", $"gcroot {address}", "-c", "exit");
        Assert.Contains("System.Threading.TimerQueueTimer", roots, StringComparison.Ordinal);
        Assert.Contains("System.Threading.PeriodicTimer+State", roots, StringComparison.Ordinal);
        Assert.Contains("LeakyTaskLeak+TimerLoop", roots, StringComparison.Ordinal);

        // dotnet-trace: a short trace, summarised.
        string trace = Path.Combine(dir, "lab.nettrace");
        await Tool("dotnet-trace", "collect", "-p", pid, "--duration", "00:00:00:03", "-o", trace);
        Assert.Contains("Top 5 Functions", await Tool("dotnet-trace", "report", trace, "topN", "-n", "5"), StringComparison.Ordinal);
    }

    private static async Task<string> Tool(string name, params string[] args)
    {
        string path = Path.Combine(s_tools, name);
        Assert.True(File.Exists(path), $"{path} is missing: run scripts/dotnet-tools.sh (make test-tools)");
        using var process = Process.Start(new ProcessStartInfo(path, args) { RedirectStandardOutput = true, RedirectStandardError = true })!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(180));
        await process.WaitForExitAsync(deadline.Token);
        Assert.True(process.ExitCode == 0, $"{name} {string.Join(' ', args)} exited {process.ExitCode}:\n{await stdout}\n{await stderr}");
        return await stdout;
    }

    [GeneratedRegex(@"Metrics: (http://127\.0\.0\.1:\d+/metrics)")]
    private static partial Regex MetricsLine();

    [GeneratedRegex(@"(?m)^\$ (curl -s localhost:9464/metrics \| grep .*)$")]
    private static partial Regex OneLiner();

    [GeneratedRegex(@"name=""task-leaky""\} (\d+)")]
    private static partial Regex LeakyLoops();

    [GeneratedRegex(@"(?m)^leakoperator_runtime_active_timers (\d+)")]
    private static partial Regex ActiveTimers();

    [GeneratedRegex(@"(?m)^\s*[0-9a-f]{8,16}\s*$")]
    private static partial Regex HexAddress();
}
