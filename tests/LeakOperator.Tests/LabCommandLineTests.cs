using LeakOperator.TestSupport;
namespace LeakOperator.Tests;

public sealed class LabCommandLineTests
{
    [Theory]
    [InlineData("--duration -3", "--duration must be a whole number from 5 to 3600")]
    [InlineData("--duration soon", "--duration must be a whole number")]
    [InlineData("--leak disk", "--leak must be one of memory, task, http-conn, all")]
    [InlineData("--port 70000", "--port must be a whole number from 0 to 65535")]
    [InlineData("--scenario forgot-stop", "--scenario must be one of unstopped, lost-stop, early-return, double-stop, tick-after-stop, cancel-without-dispose, reconcile-storm; got 'forgot-stop'")]
    [InlineData("--scenario lost-stop --leak memory", "--scenario races task leaks; it cannot be combined with --leak memory")]
    [InlineData("--bogus 1", "unknown option --bogus")]
    [InlineData("--json", "option --json needs a value")]
    [InlineData("stray", "unexpected argument 'stray'")]
    public async Task Bad_lab_options_exit_2_with_a_message_that_says_what_to_fix(string arguments, string message)
    {
        await using var lab = OperatorProcess.Start(["lab", .. arguments.Split(' ')]);

        Assert.Equal(2, await lab.ExitCodeAsync(TimeSpan.FromSeconds(30)));
        Assert.Contains(message, lab.Stderr, StringComparison.Ordinal);
        Assert.Contains("Usage: LeakOperator lab", lab.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_unknown_command_exits_2()
    {
        await using var process = OperatorProcess.Start("frobnicate");
        Assert.Equal(2, await process.ExitCodeAsync(TimeSpan.FromSeconds(30)));
        Assert.Contains("unknown command 'frobnicate'", process.Stderr, StringComparison.Ordinal);
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
}
