using k8s;
using LeakOperator.IntegrationTests.ControlPlane;
using LeakOperator.Operator.Api;
using LeakOperator.TestSupport;

namespace LeakOperator.IntegrationTests;

/// <summary>The operator against the real API server: injection, status, verdicts, metrics, deletion.</summary>
[Collection(ControlPlaneGroup.Name)]
public sealed class OperatorLifecycleTests(ControlPlaneFixture fixture)
{
    private static readonly TimeSpan s_deadline = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task Leaky_tests_hold_and_are_judged_leaking_safe_ones_release_and_are_stable_and_status_matches_metrics()
    {
        await using var bed = await OperatorTestBed.StartAsync(fixture, "life", "--leader-elect", "false");
        var (ns, objects, op) = bed;
        foreach (var type in new[] { "memory", "task", "http-conn" })
        {
            foreach (var mode in new[] { "leaky", "safe" })
            {
                await objects.CreateAsync(LeakTestObjects.New(ns, $"{type}-{mode}", new LeakTestSpec { LeakType = type, Mode = mode, DurationSeconds = 8, RatePerSecond = type == "task" ? 20 : 4 }));
            }
        }

        foreach (var type in new[] { "memory", "task", "http-conn" })
        {
            var leaky = await WaitForPhase(op, objects, ns, $"{type}-leaky", LeakTestPhases.Holding);
            var safe = await WaitForPhase(op, objects, ns, $"{type}-safe", LeakTestPhases.Completed);

            Assert.True(leaky.Status!.Verdict == "Leaking", $"{type} leaky: verdict {leaky.Status.Verdict}, {leaky.Status.UnitsPerMinute}/min");
            Assert.True(leaky.Status.LeakedUnits >= 10, $"{type} leaky holds {leaky.Status.LeakedUnits} units");
            Assert.True(safe.Status!.Verdict == "Stable", $"{type} safe: verdict {safe.Status.Verdict}, {safe.Status.UnitsPerMinute}/min");
            Assert.Equal(0, safe.Status.LeakedUnits);
            Assert.Equal(safe.Metadata.Generation, safe.Status.ObservedGeneration);
            Assert.Contains(leaky.Status.Conditions, c => c.Type == LeakTestConditions.Leaking && c.Status == "True");
            Assert.Contains(safe.Status.Conditions, c => c.Type == LeakTestConditions.Ready && c.Status == "True");
            Assert.Contains(LeakTest.Finalizer, leaky.Metadata.Finalizers);

            // Holding is steady, so the status and /metrics must agree exactly.
            string scrape = await op.ScrapeAsync();
            Assert.Equal(leaky.Status.LeakedUnits, RunningOperator.Value(scrape, RunningOperator.LeakedUnitsSeries(type, "leaky", ns, $"{type}-leaky")));
            Assert.Equal(0, RunningOperator.Value(scrape, RunningOperator.LeakedUnitsSeries(type, "safe", ns, $"{type}-safe")));
        }

        var (status, body) = await op.GetAsync("/readyz");
        Assert.True(status == 200, body);

        // Events are sent after the status write, by a background sender: wait for them.
        await Eventually.True(
            async () =>
            {
                var reasons = (await fixture.Admin.CoreV1.ListNamespacedEventAsync(ns)).Items.Where(e => e.InvolvedObject.Name == "task-leaky").Select(e => e.Reason).ToHashSet();
                return reasons.Contains("InjectionStarted") && reasons.Contains("Holding");
            },
            "InjectionStarted and Holding events are recorded for task-leaky",
            s_deadline);
    }

    /// <summary>
    /// The leaked loops are counted by their owner in the timer dump, not by the process's timer total: prometheus-net's
    /// Meter adapter gives each instrument it has seen a reaper (a 5 min <c>Task.Delay</c>) from the first scrape on, so
    /// the total grows with what the operator did (a run read 3 timers before the test and 31 a minute after the
    /// release, with every loop gone or not: the total cannot say).
    /// </summary>
    [Fact]
    public async Task Deleting_a_test_mid_injection_releases_everything_and_the_object_goes()
    {
        await using var bed = await OperatorTestBed.StartAsync(fixture, "del", "--leader-elect", "false", "--debug-timers", "true");
        var (ns, objects, op) = bed;
        await objects.CreateAsync(LeakTestObjects.New(ns, "loops", new LeakTestSpec { LeakType = "task", DurationSeconds = 600, RatePerSecond = 50 }));
        string series = RunningOperator.LeakedUnitsSeries("task", "leaky", ns, "loops");
        await Eventually.True(async () => RunningOperator.Value(await op.ScrapeAsync(), series) >= 200, "the leaky loops grow", s_deadline);
        string dump = (await op.GetAsync("/debug/timers")).Body;
        Assert.True(TimerDumpText.Count(dump, TimerDumpText.LeakyTaskLoop) >= 200, $"the timer dump names the 200 leaked loops:\n{dump}");

        await objects.DeleteAsync(ns, "loops");

        await Eventually.True(async () => await objects.GetAsync(ns, "loops") is null, "the LeakTest is gone (finalizer removed)", s_deadline);
        Assert.Null(RunningOperator.Value(await op.ScrapeAsync(), series));
        await Eventually.True(
            async () => TimerDumpText.Count(dump = (await op.GetAsync("/debug/timers")).Body, TimerDumpText.LeakyTaskLoop) == 0,
            () => $"every leaked loop's timer is gone; the timer dump:\n{dump}\noperator output:\n{op.Process.Stdout}{op.Process.Stderr}",
            s_deadline);
    }

    [Fact]
    public async Task A_spec_the_schema_allows_but_the_reconciler_cannot_run_is_reported_as_InvalidSpec()
    {
        await using var bed = await OperatorTestBed.StartAsync(fixture, "inv", "--leader-elect", "false");
        var (ns, objects, op) = bed;
        await objects.CreateAsync(LeakTestObjects.New(ns, "mem-with-tick", new LeakTestSpec { LeakType = "memory", TickIntervalMilliseconds = 100 }));

        var failed = await WaitForPhase(op, objects, ns, "mem-with-tick", LeakTestPhases.Failed);

        var invalid = Assert.Single(failed.Status!.Conditions, c => c.Type == LeakTestConditions.InvalidSpec);
        Assert.Equal("True", invalid.Status);
        Assert.Equal("TickIntervalNotApplicable", invalid.Reason);
        Assert.Contains("tickIntervalMilliseconds applies only to leakType task", invalid.Message, StringComparison.Ordinal);
        Assert.Null(RunningOperator.Value(await op.ScrapeAsync(), RunningOperator.LeakedUnitsSeries("memory", "leaky", ns, "mem-with-tick")));

        // Fixing the spec is a new generation: the test runs.
        await objects.UpdateSpecAsync(ns, "mem-with-tick", spec => spec.TickIntervalMilliseconds = null);
        await WaitForPhase(op, objects, ns, "mem-with-tick", LeakTestPhases.Injecting);
    }

    [Fact]
    public async Task A_task_pattern_runs_its_stop_failure_and_reports_the_evidence_in_status_and_metrics()
    {
        await using var bed = await OperatorTestBed.StartAsync(fixture, "pat", "--leader-elect", "false");
        var (ns, objects, op) = bed;
        foreach (var mode in new[] { "leaky", "safe" })
        {
            await objects.CreateAsync(LeakTestObjects.New(ns, $"lost-stop-{mode}", new LeakTestSpec
            {
                LeakType = "task",
                Mode = mode,
                DurationSeconds = 8,
                RatePerSecond = 5,
                TickIntervalMilliseconds = 50,
                Task = new LeakTestTaskSpec { Pattern = "lost-stop" },
            }));
        }

        await objects.CreateAsync(LeakTestObjects.New(ns, "mem-with-pattern", new LeakTestSpec { LeakType = "memory", Task = new LeakTestTaskSpec { Pattern = "lost-stop" } }));

        var leaky = await WaitForPhase(op, objects, ns, "lost-stop-leaky", LeakTestPhases.Holding);
        var safe = await WaitForPhase(op, objects, ns, "lost-stop-safe", LeakTestPhases.Completed);
        var invalid = await WaitForPhase(op, objects, ns, "mem-with-pattern", LeakTestPhases.Failed);

        Assert.Equal("lost-stop-naive", leaky.Status!.Pattern);
        Assert.Equal("lost-stop-safe-ticker", safe.Status!.Pattern);
        Assert.True(leaky.Status.Verdict == "Leaking", $"verdict {leaky.Status.Verdict}, {leaky.Status.UnitsPerMinute}/min");
        Assert.True(safe.Status.Verdict == "Stable", $"verdict {safe.Status.Verdict}, {safe.Status.UnitsPerMinute}/min");
        Assert.True(leaky.Status.LeakedUnits >= 10, $"{leaky.Status.LeakedUnits} loops run on after their Stop");
        Assert.True(leaky.Status.Evidence!["ticksAfterStop"] > 0, KubernetesJson.Serialize(leaky.Status.Evidence));
        Assert.Equal(0, safe.Status.Evidence!["ticksAfterStop"]);
        Assert.True(safe.Status.Evidence["stopsReportedSuccess"] >= 10, KubernetesJson.Serialize(safe.Status.Evidence));
        Assert.Equal("TaskSettingsNotApplicable", Assert.Single(invalid.Status!.Conditions, c => c.Type == LeakTestConditions.InvalidSpec).Reason);

        // The lost loops keep ticking while the test holds them: the metric climbs between scrapes.
        string series = $"leakoperator_leak_evidence{{leak_type=\"task\",mode=\"leaky\",namespace=\"{ns}\",name=\"lost-stop-leaky\",pattern=\"lost-stop-naive\",evidence=\"ticksAfterStop\"}}";
        double first = RunningOperator.Value(await op.ScrapeAsync(), series) ?? throw new InvalidOperationException($"no {series}");
        await Eventually.True(async () => RunningOperator.Value(await op.ScrapeAsync(), series) > first + 100, $"{series} climbs past {first + 100}", s_deadline);
    }

    [Fact]
    public async Task A_spec_change_restarts_the_injection_and_is_observed()
    {
        await using var bed = await OperatorTestBed.StartAsync(fixture, "gen", "--leader-elect", "false");
        var (ns, objects, op) = bed;
        await objects.CreateAsync(LeakTestObjects.New(ns, "mem", new LeakTestSpec { LeakType = "memory", DurationSeconds = 600, RatePerSecond = 8 }));
        await Eventually.True(async () => (await objects.GetAsync(ns, "mem"))?.Status?.LeakedUnits >= 16, "memory leaks", s_deadline);

        var changed = await objects.UpdateSpecAsync(ns, "mem", spec => spec.Mode = "safe");

        await Eventually.True(
            async () => await objects.GetAsync(ns, "mem") is { Status: { } s } && s.ObservedGeneration == changed.Metadata.Generation && s.LeakedUnits <= 8,
            "the safe generation is observed and the leaky one's memory released",
            s_deadline);
        string scrape = await op.ScrapeAsync();
        Assert.Null(RunningOperator.Value(scrape, RunningOperator.LeakedUnitsSeries("memory", "leaky", ns, "mem")));
        Assert.NotNull(RunningOperator.Value(scrape, RunningOperator.LeakedUnitsSeries("memory", "safe", ns, "mem")));
    }

    private static async Task<LeakTest> WaitForPhase(RunningOperator op, LeakTestObjects objects, string ns, string name, string phase)
    {
        LeakTest? seen = null;
        await Eventually.True(
            async () => (seen = await objects.GetAsync(ns, name))?.Status?.Phase == phase,
            () => $"{ns}/{name} reaches {phase} (last status: {(seen?.Status is { } status ? KubernetesJson.Serialize(status) : "none")})\noperator output:\n{op.Process.Stdout}{op.Process.Stderr}",
            s_deadline);
        return seen!;
    }
}
