using LeakOperator.IntegrationTests.ControlPlane;
using LeakOperator.TestSupport;

namespace LeakOperator.IntegrationTests;

/// <summary>
/// What the docs say about Go, checked with the Go toolchain on this machine (Debian's golang, installed for the
/// Kubernetes build): the write-up's detection grep counts nothing, and its storm snippet does not compile.
/// </summary>
/// <remarks>In the control plane's collection though it needs no API server: its first build compiles Go's standard
/// library on both cores, which would slow the latencies and rates measured beside it.</remarks>
[Collection(ControlPlaneGroup.Name)]
public sealed class GoClaimsTests
{
    private const string Go = "/usr/bin/go";

    /// <summary>A private build cache and GOPATH, one per test run: the tests must not depend on (or write to) the user's.</summary>
    private static readonly Lazy<string> s_cache = new(() => Directory.CreateTempSubdirectory("go-claims-").FullName);

    [Fact]
    public async Task The_write_ups_pprof_grep_counts_no_timers_while_a_thousand_ticker_readers_leak()
    {
        var (code, output, error) = await RunGoAsync("run", Repository.PathOf("docs", "go", "pprof_timer_grep.go"));

        Assert.True(code == 0, $"go run: {output}{error}");
        Assert.Contains("grep -c runtime.timer: 0\n", output, StringComparison.Ordinal);
        Assert.Matches(@"largest group: 1000 @ [0-9a-fx ]+ main\.main\.func1", output);
        Assert.Matches(@"header: goroutine profile: total 100\d", output);
    }

    [Fact]
    public async Task Sending_on_a_tickers_channel_as_the_write_ups_storm_snippet_does_is_a_compile_error()
    {
        var (code, output, error) = await RunGoAsync("vet", Repository.PathOf("docs", "go", "send_on_ticker_channel.go"));

        Assert.NotEqual(0, code);
        Assert.Contains("invalid operation: cannot send to receive-only channel ticker.C", output + error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_go_ticker_starts_no_goroutine_and_Stop_does_not_end_a_reader()
    {
        var (code, output, error) = await RunGoAsync("run", Repository.PathOf("docs", "go", "ticker_goroutines.go"));

        Assert.True(code == 0, $"go run: {output}{error}");
        Assert.Contains("1000 NewTicker: goroutines 1 -> 1\n", output, StringComparison.Ordinal);
        Assert.Contains("after Stop() on all: goroutines 1001", output, StringComparison.Ordinal);
    }

    private static Task<(int Code, string Output, string Error)> RunGoAsync(params string[] args)
    {
        Assert.True(File.Exists(Go), $"{Go} is missing: scripts/kubernetes-binaries.sh installs Debian's golang (make test-tools)");
        string cache = s_cache.Value;
        // The first build compiles the standard library (net/http, pprof) into the cache, on 2 cores the other test
        // assemblies share: minutes are allowed, and the next tests reuse it.
        return Command.RunAsync("env", [$"GOCACHE={cache}/cache", $"GOPATH={cache}/path", "GO111MODULE=off", Go, .. args], timeout: TimeSpan.FromMinutes(6));
    }
}
