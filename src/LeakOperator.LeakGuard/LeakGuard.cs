using System.Diagnostics;

namespace LeakOperator.Diagnostics;

/// <summary>
/// goleak for .NET: fails a test that leaves timer loops, timers, sockets, HTTP client connections or threads behind.
/// <code>
/// await using var guard = LeakGuard.Start();
/// // … the code under test …
/// await guard.VerifyNoneAsync(); // throws LeakGuardException listing what was left, by owner
/// </code>
/// </summary>
/// <remarks>
/// It reads process-wide state, so what it sees includes whatever runs beside the scope: verify only where nothing
/// else runs at the same time (tests one at a time; see the README). Framework-neutral: it throws, and every test
/// framework fails a test that throws.
/// </remarks>
public sealed class LeakGuard : IDisposable, IAsyncDisposable
{
    private const int MaxBackoffMilliseconds = 100;

    private readonly LeakGuardOptions _options;
    private readonly LeakSnapshot _start;

    private LeakGuard(LeakGuardOptions options)
    {
        _options = options;
        _start = LeakSnapshot.Take(Checks);
    }

    /// <summary>How long the last verification took, settling included (its overhead on a test).</summary>
    public TimeSpan LastVerificationTook { get; private set; }

    private LeakChecks Checks => _options.HeapGrowthLimitBytes is null ? _options.Checks & ~LeakChecks.Heap : _options.Checks | LeakChecks.Heap;

    /// <summary>Reads the process now (after a full collection) to compare with later.</summary>
    public static LeakGuard Start(LeakGuardOptions? options = null)
    {
        // Connections opened before a listener exists are not counted; from here on they are.
        HttpClientConnections.Start();
        return new LeakGuard(options ?? new LeakGuardOptions());
    }

    /// <summary>Starts a guard with options set by <paramref name="configure"/>.</summary>
    public static LeakGuard Start(Action<LeakGuardOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(configure);
        var options = new LeakGuardOptions();
        configure(options);
        return Start(options);
    }

    /// <summary>Throws <see cref="LeakGuardException"/> if the scope left anything behind once settled.</summary>
    public void VerifyNone()
    {
        var findings = FindLeaks();
        if (!findings.IsEmpty)
        {
            throw new LeakGuardException(findings);
        }
    }

    /// <summary>Throws <see cref="LeakGuardException"/> if the scope left anything behind once settled.</summary>
    public async Task VerifyNoneAsync(CancellationToken cancellationToken = default)
    {
        var findings = await FindLeaksAsync(cancellationToken).ConfigureAwait(false);
        if (!findings.IsEmpty)
        {
            throw new LeakGuardException(findings);
        }
    }

    /// <summary>What the scope left behind, after settling for up to <see cref="LeakGuardOptions.SettleTimeout"/>.</summary>
    public LeakFindings FindLeaks()
    {
        var clock = Stopwatch.StartNew();
        for (int backoff = 1; ; backoff = NextBackoff(backoff))
        {
            if (Settled(clock) is { } findings)
            {
                return findings;
            }

            Thread.Sleep(backoff);
        }
    }

    /// <summary>What the scope left behind, after settling for up to <see cref="LeakGuardOptions.SettleTimeout"/>.</summary>
    public async Task<LeakFindings> FindLeaksAsync(CancellationToken cancellationToken = default)
    {
        var clock = Stopwatch.StartNew();
        for (int backoff = 1; ; backoff = NextBackoff(backoff))
        {
            if (Settled(clock) is { } findings)
            {
                return findings;
            }

            await Task.Delay(backoff, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Nothing to release: a guard holds only its start reading. Disposing does not verify.</summary>
    public void Dispose()
    {
    }

    /// <inheritdoc cref="Dispose"/>
    public ValueTask DisposeAsync() => ValueTask.CompletedTask;

    private static int NextBackoff(int backoff) => Math.Min(backoff * 2, MaxBackoffMilliseconds);

    /// <summary>The findings once there are none or the settle time is up; null while it is worth waiting.</summary>
    private LeakFindings? Settled(Stopwatch clock)
    {
        var findings = Compare(LeakSnapshot.Take(Checks), clock.Elapsed);
        if (!findings.IsEmpty && clock.Elapsed < _options.SettleTimeout)
        {
            return null;
        }

        LastVerificationTook = clock.Elapsed;
        return findings;
    }

    private LeakFindings Compare(LeakSnapshot now, TimeSpan settled)
    {
        var timers = _options.IgnoreCurrent ? now.Timers.GrownSince(_start.Timers) : now.Timers.Groups;
        timers = [.. timers.Where(g => !_options.IsIgnoredOwner(g.Owner))];

        var connections = now.HttpConnectionsByPort
            .Select(c => new HttpConnectionLeftover(c.Key, c.Value - _start.HttpConnectionsByPort.GetValueOrDefault(c.Key)))
            .Where(c => c.Count > 0).OrderByDescending(c => c.Count).ToList();

        var threads = now.ThreadsByName
            .Where(t => !_options.IsIgnoredThread(t.Key))
            .Select(t => new ThreadLeftover(t.Key, t.Value - _start.ThreadsByName.GetValueOrDefault(t.Key)))
            .Where(t => t.Count > 0).OrderByDescending(t => t.Count).ToList();

        long? heap = _options.HeapGrowthLimitBytes is { } limit && now.HeapBytes - _start.HeapBytes > limit ? now.HeapBytes - _start.HeapBytes - limit : null;

        return new LeakFindings(timers, Math.Max(0, now.Sockets - _start.Sockets), connections, threads, heap, settled);
    }
}
