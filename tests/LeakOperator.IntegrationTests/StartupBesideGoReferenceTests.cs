using System.Diagnostics;
using System.Text.Json;
using k8s;
using LeakOperator.IntegrationTests.ControlPlane;
using LeakOperator.Operator.Api;
using LeakOperator.TestSupport;
using Xunit.Abstractions;

namespace LeakOperator.IntegrationTests;

/// <summary>
/// The issue's startup goal is "at least as fast" as a Go controller's ~11 s, a figure from another day. This VM's
/// speed drifts by a third within an hour, so a quoted figure cannot settle it: here the Go reference
/// (benchmarks/go-reference: client-go 1.20 dynamic informer, 4 workers, no client-side throttling, one status write
/// per object) and LeakOperator (4 workers) take turns on the same API server, each starting cold into its own 1,000
/// existing LeakTests. A third contender is the same Go program doing the writes LeakOperator does per object (a
/// finalizer update, the status write, one event), to tell the cost of that work from the cost of the runtime. A fourth
/// does that work writing the status LeakOperator wrote (five conditions, evidence), so its objects are as large as
/// LeakOperator's: what is left between those two is the runtime's. The order rotates by round so that a drift favours
/// none. Printed, not asserted: speed goals are numbers to read.
/// </summary>
[Collection(ControlPlaneGroup.Name)]
[Trait("Category", "Benchmark")]
public sealed class StartupBesideGoReferenceTests(ControlPlaneFixture fixture, ITestOutputHelper output) : IDisposable
{
    private const int Rounds = 3;
    private const string Workers = "4";
    private static readonly TimeSpan s_deadline = TimeSpan.FromSeconds(180);

    private enum Contender
    {
        GoReference,
        GoSameWork,
        GoSameStatus,
        LeakOperator,
    }

    /// <summary>The order of the first round; LeakOperator goes before the contender that writes its status.</summary>
    private static readonly Contender[] s_contenders = [Contender.LeakOperator, Contender.GoSameStatus, Contender.GoReference, Contender.GoSameWork];

    /// <summary>The status LeakOperator wrote on a LeakTest in its last run, as JSON, for <see cref="Contender.GoSameStatus"/>.</summary>
    private readonly string _leakOperatorStatus = Path.Combine(Path.GetTempPath(), $"leakoperator-status-{Guid.NewGuid():N}.json");

    [Fact]
    public async Task LeakOperator_and_the_Go_reference_take_turns_starting_into_a_thousand_LeakTests()
    {
        string reference = await Tools.GoReferenceAsync();
        var runs = new List<(int Round, Contender Who, Run Run)>();
        for (int round = 1; round <= Rounds; round++)
        {
            foreach (var who in s_contenders.Skip(round - 1).Concat(s_contenders.Take(round - 1)))
            {
                runs.Add((round, who, await RunAsync(who, reference)));
            }
        }

        output.WriteLine($"{ExistingLeakTests.Count} existing LeakTests, each controller started cold (process start included), {Workers} workers, no client-side rate limit, taking turns:");
        output.WriteLine($"  {"round",5}  {"controller",-16} {"first",7} {"half",7} {"all observed",12} {"peak RSS",9} {"CPU",7} {"API+etcd CPU",12} {"writes/LeakTest",16} {"object",8}");
        foreach (var (round, who, run) in runs)
        {
            output.WriteLine($"  {round,5}  {Name(who),-16} {run.First.TotalSeconds,5:0.0} s {run.Half.TotalSeconds,5:0.0} s {run.Elapsed.TotalSeconds,10:0.0} s {run.PeakResidentBytes / 1048576.0,5:0} MiB {run.Cpu.TotalSeconds,5:0.0} s {run.ControlPlaneCpu.TotalSeconds,10:0.0} s {run.WritesPerLeakTest,16:0.00} {run.ObjectBytes,6:N0} B");
        }

        double Median(Contender who) => runs.Where(r => r.Who == who).Select(r => r.Run.Elapsed.TotalSeconds).Order().ElementAt(Rounds / 2);
        foreach (var who in Enum.GetValues<Contender>())
        {
            var times = runs.Where(r => r.Who == who).Select(r => r.Run.Elapsed.TotalSeconds).Order().ToList();
            output.WriteLine($"  {Name(who),-16} median {Median(who):0.0} s ({times[0]:0.0}-{times[^1]:0.0} s), {Median(who) / Median(Contender.GoReference):0.00}x the Go reference's");
        }

        output.WriteLine($"  LeakOperator / Go with its writes and status: {Median(Contender.LeakOperator) / Median(Contender.GoSameStatus):0.00}x");

        Assert.All(runs, r => Assert.True(r.Run.Pending == 0, $"{Name(r.Who)} in round {r.Round} left {r.Run.Pending} LeakTests unobserved after {s_deadline.TotalSeconds:0} s"));
    }

    public void Dispose() => File.Delete(_leakOperatorStatus);

    private static string Name(Contender who) => who switch
    {
        Contender.GoReference => "Go reference",
        Contender.GoSameWork => "Go, same work",
        Contender.GoSameStatus => "Go, our status",
        _ => "LeakOperator",
    };

    private async Task<Run> RunAsync(Contender who, string reference)
    {
        await using var existing = await ExistingLeakTests.CreateAsync(fixture, "beside-go");
        var apiBefore = await fixture.ScrapeApiServerAsync();
        var planeCpuBefore = fixture.Plane.ControlPlaneCpu;
        var clock = Stopwatch.StartNew();
        await using var op = who == Contender.LeakOperator
            ? await RunningOperator.StartAsync(fixture, $"beside-go-{existing.Namespace}", "--leader-elect", "false", "--workers", Workers)
            : null;
        string[] sameWork = who switch
        {
            Contender.GoSameWork => ["-finalizer", LeakTest.Finalizer, "-events"],
            Contender.GoSameStatus => ["-finalizer", LeakTest.Finalizer, "-events", "-status", _leakOperatorStatus],
            _ => [],
        };
        await using var go = who != Contender.LeakOperator
            ? OperatorProcess.StartExecutable(reference, ["-kubeconfig", fixture.Plane.OperatorKubeconfig, "-workers", Workers, .. sameWork])
            : null;
        var observation = await existing.WatchUntilObservedAsync(clock, s_deadline, output);
        var process = op?.Process ?? go!;
        long peak = process.PeakResidentBytes;
        var cpu = process.CpuTime;
        var planeCpu = fixture.Plane.ControlPlaneCpu - planeCpuBefore;
        var apiAfter = await fixture.ScrapeApiServerAsync();
        double writes = Writes(apiAfter) - Writes(apiBefore);
        var sample = (JsonElement)await fixture.Admin.CustomObjects.GetNamespacedCustomObjectAsync(LeakTest.Group, LeakTest.Version, existing.Namespace, LeakTest.Plural, existing.Names[0]);
        int objectBytes = sample.GetRawText().Length;
        if (who == Contender.LeakOperator)
        {
            await File.WriteAllTextAsync(_leakOperatorStatus, sample.GetProperty("status").GetRawText());
        }

        return new Run(observation.At(0), observation.At(0.5), observation.Ended, peak, cpu, planeCpu, writes / ExistingLeakTests.Count, objectBytes, observation.Pending.Count);
    }

    /// <summary>Requests that change something, on LeakTests (finalizer, status) or events: what each object costs the API server.</summary>
    private static double Writes(Scrape api) =>
        (from verb in new[] { "PUT", "POST", "PATCH" }
         from resource in new[] { "leaktests", "events" }
         select api.Sum("apiserver_request_total", $"verb=\"{verb}\"", $"resource=\"{resource}\"")).Sum();

    /// <param name="First">When the first LeakTest was seen observed: the controller's start-up, list included.</param>
    /// <param name="Half">When half were: with <paramref name="First"/>, the pace of the burst.</param>
    /// <param name="Cpu">The controller's CPU time until all were observed, start-up included.</param>
    /// <param name="ControlPlaneCpu">The API server's and etcd's CPU time in the same window.</param>
    /// <param name="ObjectBytes">One LeakTest's JSON afterwards: what every write and watch event of it carries.</param>
    private sealed record Run(TimeSpan First, TimeSpan Half, TimeSpan Elapsed, long PeakResidentBytes, TimeSpan Cpu, TimeSpan ControlPlaneCpu, double WritesPerLeakTest, int ObjectBytes, int Pending);
}
