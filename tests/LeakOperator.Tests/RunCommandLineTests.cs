using LeakOperator.CommandLine;
using LeakOperator.Operator;
using LeakOperator.Operator.Running;
using LeakOperator.TestSupport;

namespace LeakOperator.Tests;

public sealed class RunCommandLineTests
{
    [Fact]
    public void Defaults_are_eight_workers_and_status_refreshes_paced_to_twenty_a_second()
    {
        var options = Parse();

        Assert.Equal(8, options.Workers);
        Assert.Equal(StatusPacing.DefaultRefreshesPerSecond, options.StatusRefreshesPerSecond);
        Assert.True(options.LeaderElect);
        Assert.False(options.DebugTimers);
        Assert.Equal(0, options.ClientQps); // no client-side limiter unless asked for
        Assert.Equal("leak-operator-leader", options.LeaderElectionId); // the Lease the docs and the node tests name
    }

    [Theory]
    [InlineData("--workers=3 --leader-elect=false --budget-memory-mib=64 --budget-timer-loops=10 --budget-connections=5 "
        + "--status-refreshes-per-second=7 --debug-timers=true --client-qps=20 --client-burst=40 --leader-election-id=team-a.leader")]
    [InlineData("--workers 3 --leader-elect false --budget-memory-mib 64 --budget-timer-loops 10 --budget-connections 5 "
        + "--status-refreshes-per-second 7 --debug-timers true --client-qps 20 --client-burst 40 --leader-election-id team-a.leader")]
    public void Options_are_read_as_name_equals_value_and_as_name_space_value(string arguments)
    {
        var options = Parse(arguments.Split(' '));

        Assert.Equal(3, options.Workers);
        Assert.False(options.LeaderElect);
        Assert.Equal(7, options.StatusRefreshesPerSecond);
        Assert.Equal(new(64, 10, 5), options.Budget);
        Assert.True(options.DebugTimers);
        Assert.Equal((20, 40), (options.ClientQps, options.ClientBurst));
        Assert.Equal("team-a.leader", options.LeaderElectionId);
    }

    [Fact]
    public void A_bare_leader_elect_means_true_as_in_kubebuilder()
    {
        Assert.True(Parse("--leader-elect", "--workers", "2").LeaderElect);
    }

    [Theory]
    [InlineData("--status-refreshes-per-second 0", "--status-refreshes-per-second must be a whole number from 1 to 10000; got '0'")]
    [InlineData("--workers=65", "--workers must be a whole number from 1 to 64; got '65'")]
    [InlineData("--budget-connections -1", "--budget-connections must be a whole number from 0 to 100000; got '-1'")]
    [InlineData("--client-burst 0", "--client-burst must be a whole number from 1 to 100000; got '0'")]
    [InlineData("--kubeconfig /nonexistent/kubeconfig", "--kubeconfig /nonexistent/kubeconfig does not exist")]
    [InlineData("--leader-election-id Leader_1", "--leader-election-id must be a lowercase DNS name (a-z, 0-9, '-' and '.', "
        + "starting and ending with a letter or digit, at most 253 characters); got 'Leader_1'")]
    [InlineData("--leader-election-id leader-", "--leader-election-id must be a lowercase DNS name (a-z, 0-9, '-' and '.', "
        + "starting and ending with a letter or digit, at most 253 characters); got 'leader-'")]
    public void Bad_run_options_say_what_to_fix(string arguments, string message)
    {
        var parse = new LeakOperatorCommandLine().Parse(["run", .. arguments.Split(' ')]);

        Assert.Equal([message], parse.Errors.Select(e => e.Message));
    }

    private static RunOptions Parse(params string[] arguments)
    {
        var commandLine = new LeakOperatorCommandLine();
        var parse = commandLine.Parse(["run", .. arguments]);
        Assert.Empty(parse.Errors);
        return commandLine.Run.Bind(parse);
    }

    [Fact]
    public async Task A_kubeconfig_that_cannot_be_read_exits_2_with_the_reason_and_no_stack_trace()
    {
        string path = Path.Combine(Path.GetTempPath(), $"kubeconfig-{Guid.NewGuid():N}");
        await File.WriteAllTextAsync(path, "garbage: [");
        try
        {
            await using var run = OperatorProcess.Start(new Dictionary<string, string> { ["ASPNETCORE_URLS"] = "http://127.0.0.1:0" }, "run", "--kubeconfig", path);

            Assert.Equal(2, await run.ExitCodeAsync(TimeSpan.FromSeconds(60)));
            Assert.Contains("LeakOperator run: no usable Kubernetes configuration:", run.Stderr, StringComparison.Ordinal);
            Assert.DoesNotContain("   at ", run.Stdout + run.Stderr, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Theory]
    [InlineData("garbage: [", "did not find expected node content")]
    [InlineData(null, "not found")]
    [InlineData("", "is empty")]
    [InlineData("clusters: 5", "Exception during deserialization")]
    public void A_kubeconfig_that_cannot_be_read_is_reported_not_thrown(string? content, string problem)
    {
        string path = Path.Combine(Path.GetTempPath(), $"kubeconfig-{Guid.NewGuid():N}");
        if (content is not null)
        {
            File.WriteAllText(path, content);
        }

        try
        {
            var options = Parse() with { Kubeconfig = path };

            var (config, reported, _) = RunCommand.LoadConfiguration(options.Kubeconfig, options.Context);

            Assert.Null(config);
            Assert.Contains(problem, reported, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Theory]
    [InlineData(1, 2, 1)]
    [InlineData(40, 2, 1.6)]
    [InlineData(1000, 50, 40)]
    public void Status_refreshes_spread_out_so_that_all_LeakTests_together_stay_at_the_pace(int injections, double refreshSeconds, double writeSeconds)
    {
        var pacing = new StatusPacing(20);

        Assert.Equal(TimeSpan.FromSeconds(refreshSeconds), pacing.RefreshInterval(StatusPacing.InjectingRefresh, injections));
        Assert.Equal(TimeSpan.FromSeconds(writeSeconds), pacing.MinWriteInterval(StatusPacing.MinStatusWriteInterval, injections));
    }
}
