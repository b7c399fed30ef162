using System.Diagnostics;
using System.Text;

using Xunit;

namespace LeakOperator.TestSupport;

/// <summary>Runs the real LeakOperator executable (as users do) and collects what it prints.</summary>
public sealed class OperatorProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _stdout = new();
    private readonly StringBuilder _stderr = new();
    private readonly Lock _gate = new();

    private OperatorProcess(Process process)
    {
        // Each of the two readers below holds a pool thread for the process's life (see ProcessReaderThreads).
        ProcessReaderThreads.Reserve();
        _process = process;
        _process.OutputDataReceived += (_, e) => Append(_stdout, e.Data);
        _process.ErrorDataReceived += (_, e) => Append(_stderr, e.Data);
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
    }

    public string Stdout
    {
        get
        {
            lock (_gate)
            {
                return _stdout.ToString();
            }
        }
    }

    public string Stderr
    {
        get
        {
            lock (_gate)
            {
                return _stderr.ToString();
            }
        }
    }

    public static OperatorProcess Start(params string[] args) => Start(new Dictionary<string, string>(), args);

    /// <summary>
    /// The executable under test: the NativeAOT build that ships when LEAKOPERATOR_BINARY names it (scripts/run-tests.sh
    /// publishes it with scripts/operator-binary.sh and always sets it), else the JIT build copied next to the test
    /// assembly, for a quick `dotnet test` while working.
    /// </summary>
    public static string? NativeBinary { get; } = Environment.GetEnvironmentVariable("LEAKOPERATOR_BINARY") is { Length: > 0 } path
        ? (File.Exists(path) ? path : throw new FileNotFoundException($"LEAKOPERATOR_BINARY names {path}, which does not exist"))
        : null;

    /// <summary>Starts the operator's executable (see <see cref="NativeBinary"/>) with extra environment variables.</summary>
    public static OperatorProcess Start(IReadOnlyDictionary<string, string> environment, params string[] args) => NativeBinary is { } binary
        ? StartExecutable(binary, args, environment)
        : StartJit(environment, args);

    /// <summary>
    /// Starts the JIT build (LeakOperator.dll next to the test assembly, what `make lab` and `make run` run), for what
    /// needs the JIT runtime in the process: dotnet-dump's heap commands (SOS) cannot read a NativeAOT process.
    /// </summary>
    public static OperatorProcess StartJit(params string[] args) => StartJit(new Dictionary<string, string>(), args);

    private static OperatorProcess StartJit(IReadOnlyDictionary<string, string> environment, string[] args) =>
        StartExecutable("dotnet", [Path.Combine(AppContext.BaseDirectory, "LeakOperator.dll"), .. args], environment);

    /// <summary>Starts another controller's executable (e.g. the Go reference of the startup benchmark).</summary>
    public static OperatorProcess StartExecutable(string file, IEnumerable<string> args, IReadOnlyDictionary<string, string>? environment = null)
    {
        var start = new ProcessStartInfo(file)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
        {
            start.Environment[name] = value;
        }

        return new OperatorProcess(Process.Start(start)!);
    }

    /// <summary>CPU time (user and kernel, every thread) the process has used so far.</summary>
    public TimeSpan CpuTime
    {
        get
        {
            _process.Refresh();
            return _process.TotalProcessorTime;
        }
    }

    /// <summary>The most resident memory the process has had so far (VmHWM, the figure Go's peak RSS means), in bytes.</summary>
    public long PeakResidentBytes => StatusBytes("VmHWM:");

    /// <summary>The resident memory now (VmRSS), in bytes.</summary>
    public long ResidentBytes => StatusBytes("VmRSS:");

    private long StatusBytes(string field)
    {
        foreach (var line in File.ReadLines($"/proc/{_process.Id}/status"))
        {
            if (line.StartsWith(field, StringComparison.Ordinal))
            {
                // "VmHWM:    43212 kB"
                return long.Parse(line[field.Length..].Trim().Split(' ')[0], System.Globalization.CultureInfo.InvariantCulture) * 1024;
            }
        }

        throw new InvalidOperationException($"/proc/{_process.Id}/status has no {field}");
    }

    /// <summary>Waits for the process to exit and returns its exit code; fails the test at the deadline.</summary>
    public async Task<int> ExitCodeAsync(TimeSpan deadline)
    {
        using var timeout = new CancellationTokenSource(deadline);
        try
        {
            await _process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            Assert.Fail($"LeakOperator did not exit within {deadline.TotalSeconds} s.\nstdout:\n{Stdout}\nstderr:\n{Stderr}");
        }

        _process.WaitForExit(); // flushes the asynchronous output readers
        return _process.ExitCode;
    }

    public bool HasExited => _process.HasExited;

    public int Id => _process.Id;

    /// <summary>Asks it to stop as Kubernetes does (SIGTERM).</summary>
    public void Terminate() => System.Diagnostics.Process.Start("kill", ["-TERM", _process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)])!.WaitForExit();

    /// <summary>Ctrl-C, as a terminal sends it (SIGINT).</summary>
    public void Interrupt() => System.Diagnostics.Process.Start("kill", ["-INT", _process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)])!.WaitForExit();

    /// <summary>Ends it at once, as a crash or a SIGKILL would.</summary>
    public void Kill() => _process.Kill(entireProcessTree: true);

    /// <summary>Waits until its output matches <paramref name="pattern"/>; returns the first group.</summary>
    public async Task<string> WaitForOutput(System.Text.RegularExpressions.Regex pattern, TimeSpan deadline)
    {
        string? found = null;
        await Eventually.True(
            () =>
            {
                var match = pattern.Match(Stdout);
                found = match.Success ? match.Groups[1].Value : null;
                return found is not null || _process.HasExited;
            },
            $"output matching {pattern}",
            deadline);
        Assert.True(found is not null, $"the process exited before printing {pattern}.\nstdout:\n{Stdout}\nstderr:\n{Stderr}");
        return found!;
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }

        _process.Dispose();
    }

    private void Append(StringBuilder target, string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_gate)
        {
            target.AppendLine(line);
        }
    }
}
