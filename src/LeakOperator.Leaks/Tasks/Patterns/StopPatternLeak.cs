using LeakOperator.Leaks.Injections;

namespace LeakOperator.Leaks.Tasks.Patterns;

/// <summary>
/// A task leak made of repeated "start a ticker, then stop it" attempts of one <see cref="StopPattern"/>: leaky
/// mode stops the naive way and holds whatever each failed stop left behind; safe mode stops the SafeTicker way and
/// holds nothing. Each attempt is one unit, taken from the ledger first.
/// </summary>
internal sealed class StopPatternLeak : ILeak
{
    /// <summary>Attempts of one step run side by side (many wait a tick period), but never more than this at once.</summary>
    private const int MaxConcurrentAttempts = 8;

    private readonly UnitLedger _ledger;
    private readonly StopPattern _stopPattern;
    private readonly TimeSpan _tickInterval;
    private readonly StopEvidence _evidence;
    private readonly List<StopAttempt> _held = [];
    private readonly Lock _gate = new();
    private readonly LeakMode _mode;

    public StopPatternLeak(UnitLedger ledger, LeakMode mode, StopPattern stopPattern, TimeSpan tickInterval)
    {
        _ledger = ledger;
        _mode = mode;
        _stopPattern = stopPattern;
        _tickInterval = tickInterval;
        _evidence = new StopEvidence([StopEvidenceNames.Attempts, .. stopPattern.EvidenceNames]);
    }

    public string Pattern => $"{_stopPattern.Pattern.ToWire()}-{(_mode == LeakMode.Leaky ? "naive" : "safe-ticker")}";

    public async ValueTask StepAsync(int units, CancellationToken cancellationToken)
    {
        int granted = _ledger.TryTake(units);
        int settled = 0;
        try
        {
            var options = new ParallelOptions { MaxDegreeOfParallelism = MaxConcurrentAttempts, CancellationToken = cancellationToken };
            await Parallel.ForAsync(0, granted, options, async (_, token) =>
            {
                var attempt = _mode == LeakMode.Leaky
                    ? await _stopPattern.RunLeakyAsync(_tickInterval, _evidence, token).ConfigureAwait(false)
                    : await _stopPattern.RunSafeAsync(_tickInterval, _evidence, token).ConfigureAwait(false);
                _evidence.Add(StopEvidenceNames.Attempts);
                if (attempt.Leaked)
                {
                    lock (_gate)
                    {
                        _held.Add(attempt);
                    }
                }
                else
                {
                    // The stop worked: the unit existed and is gone again.
                    _ledger.Return(1);
                }

                Interlocked.Increment(ref settled);
            }).ConfigureAwait(false);
        }
        finally
        {
            // Attempts that never ran (cancelled) or threw created nothing to hold.
            _ledger.Refund(granted - Volatile.Read(ref settled));
        }
    }

    public long MeasureLive()
    {
        lock (_gate)
        {
            return _held.Count(attempt => attempt.IsLive);
        }
    }

    public IReadOnlyDictionary<string, double> Evidence() => _evidence.Snapshot();

    public ValueTask ReleaseAsync()
    {
        List<StopAttempt> held;
        lock (_gate)
        {
            held = [.. _held];
            _held.Clear();
        }

        foreach (var attempt in held)
        {
            attempt.Release();
        }

        _ledger.Return(held.Count);
        return ValueTask.CompletedTask;
    }
}
