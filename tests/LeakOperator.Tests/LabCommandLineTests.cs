using LeakOperator.TestSupport;
namespace LeakOperator.Tests;

public sealed class LabCommandLineTests
{
    [Theory]
    [InlineData("--duration -3", "--duration must be a whole number from 5 to 3600")]
    [InlineData("--duration soon", "--duration must be a whole number")]
    [InlineData("--leak disk", "--leak must be one of memory, task, http-conn, all")]
    [InlineData("--port 70000", "--port must be a whole number from 0 to 65535")]
    [InlineData(
        "--scenario forgot-stop",
        "--scenario must be one of unstopped, lost-stop, early-return, double-stop, tick-after-stop, cancel-without-dispose, "
        + "reconcile-storm, reconcile-storm-direct; got 'forgot-stop'")]
    [InlineData("--scenario lost-stop --leak memory", "--scenario races task leaks; it cannot be combined with --leak memory")]
    [InlineData("--bogus 1", "Unrecognized command or argument '--bogus'")]
    [InlineData("--json", "Required argument missing for option: '--json'")]
    [InlineData("stray", "Unrecognized command or argument 'stray'")]
    [InlineData("--json /nonexistent-dir/x.json", "--json /nonexistent-dir/x.json: the directory /nonexistent-dir does not exist")]
    [InlineData("--html /tmp", "--html /tmp: is a directory; give a file name inside it")]
    [InlineData("--duration=2", "--duration must be a whole number from 5 to 3600; got '2'")]
    public async Task Bad_lab_options_exit_2_with_a_message_that_says_what_to_fix(string arguments, string message)
    {
        await using var lab = OperatorProcess.Start(["lab", .. arguments.Split(' ')]);

        Assert.Equal(2, await lab.ExitCodeAsync(TimeSpan.FromSeconds(30)));
        Assert.Contains(message, lab.Stderr, StringComparison.Ordinal);
        Assert.Contains("Run 'LeakOperator lab --help' to see the options.", lab.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", lab.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_unknown_command_exits_2()
    {
        await using var process = OperatorProcess.Start("frobnicate");
        Assert.Equal(2, await process.ExitCodeAsync(TimeSpan.FromSeconds(30)));
        Assert.Contains("Unrecognized command or argument 'frobnicate'", process.Stderr, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData]
    [InlineData("--help")]
    public async Task Bare_or_with_help_it_lists_the_commands_and_exits_0(params string[] args)
    {
        await using var process = OperatorProcess.Start(args);
        Assert.Equal(0, await process.ExitCodeAsync(TimeSpan.FromSeconds(30)));
        Assert.Matches(@"(?m)^\s+lab\s+Race each leak", process.Stdout);
        Assert.Matches(@"(?m)^\s+run\s+Run the operator", process.Stdout);
    }

    [Fact]
    public async Task A_port_in_use_exits_2_with_the_reason_and_no_stack_trace()
    {
        using var taken = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        taken.Start();
        int port = ((System.Net.IPEndPoint)taken.LocalEndpoint).Port;

        await using var lab = OperatorProcess.Start("lab", $"--port={port}", "--duration", "5");

        Assert.Equal(2, await lab.ExitCodeAsync(TimeSpan.FromSeconds(30)));
        Assert.Contains($"cannot serve /metrics: Failed to bind to address http://127.0.0.1:{port}: address already in use", lab.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", lab.Stderr + lab.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Lab_help_lists_every_option_and_exits_0()
    {
        await using var lab = OperatorProcess.Start("lab", "--help");
        Assert.Equal(0, await lab.ExitCodeAsync(TimeSpan.FromSeconds(30)));
        foreach (var option in new[] { "--leak", "--scenario", "--duration", "--json", "--html", "--port", "--sample-interval-ms" })
        {
            Assert.Contains(option, lab.Stdout, StringComparison.Ordinal);
        }
    }

    [Theory]
    [InlineData("LeakOperator lab --leak ", "all,http-conn,memory,task")]
    [InlineData("LeakOperator run --budget-t", "--budget-timer-loops")]
    [InlineData("LeakOperator cl", "cleanup")]
    public async Task Bash_completion_asks_the_program_itself(string line, string expected)
    {
        string program = Path.Combine(AppContext.BaseDirectory, "LeakOperator");
        string script = $$"""
            . '{{Repository.PathOf("scripts", "completion.bash")}}'
            COMP_LINE='{{line}}'; COMP_POINT=${#COMP_LINE}; read -r -a COMP_WORDS <<< "$COMP_LINE"; COMP_WORDS[0]='{{program}}'
            _leakoperator_complete
            printf '%s\n' "${COMPREPLY[@]}"
            """;
        await using var bash = OperatorProcess.StartExecutable("bash", ["-c", script]);

        Assert.Equal(0, await bash.ExitCodeAsync(TimeSpan.FromSeconds(30)));
        Assert.Equal(expected, string.Join(',', bash.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries)));
    }
}
