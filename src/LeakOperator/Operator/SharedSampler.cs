using System.Collections.Concurrent;
using LeakOperator.Timing;

namespace LeakOperator.Operator;

/// <summary>
/// Samples every tracked injection on one <see cref="SafeTicker"/>, shared by reference count as the write-up's fix
/// shares a ticker among owners: each member holds a <see cref="TickerLease"/>, the last lease given back closes the
/// ticker, and the next member to join starts a new one. 1,000 LeakTests cost one timer, not 1,000, and an operator
/// that tracks nothing has no sampling timer at all.
/// </summary>
internal sealed class SharedSampler(TimeSpan interval, TimeProvider time)
{
    private readonly ConcurrentDictionary<Membership, Action> _members = new();
    private readonly Lock _starting = new();
    private SafeTicker? _ticker;
    private long _faults;

    /// <summary>The ticker members share, while one runs (for tests).</summary>
    internal SafeTicker? Ticker => Volatile.Read(ref _ticker) is { State: not TickerState.Closed } ticker ? ticker : null;

    internal int Members => _members.Count;

    /// <summary>Samples that threw (each member's failure is its own; the others are still sampled that tick).</summary>
    internal long Faults => Interlocked.Read(ref _faults);

    /// <summary>Calls <paramref name="sample"/> on each tick until the returned membership is disposed.</summary>
    public IDisposable Join(Action sample)
    {
        var member = new Membership(this);

        // Listed before the lease is taken: a tick between the two samples it early, which is harmless; the other
        // order could leave a member holding a lease on a ticker that never samples it.
        _members[member] = sample;
        member.Hold(Lease());
        return member;
    }

    private TickerLease Lease()
    {
        // The lock serializes starts only: two joins that both find the ticker closed must not each start one.
        // Leaving takes no lock: giving a lease back is the ticker's own atomic count (see SafeTicker.ReleaseReference).
        lock (_starting)
        {
            // Fails once the count reached zero: a closing ticker is never resurrected, a new one is started.
            if (_ticker?.TryAcquire() is { } lease)
            {
                return lease;
            }

            var ticker = new SafeTicker(interval, static state => ((SharedSampler)state!).SampleAll(), this, time);

            // The creator's reference is still held here, so this lease cannot fail; giving the creator's back right
            // after leaves the members' leases alone to keep the ticker running.
            lease = ticker.TryAcquire()!;
            ticker.ReleaseCreatorReference();
            Volatile.Write(ref _ticker, ticker);
            return lease;
        }
    }

    [System.Diagnostics.CodeAnalysis.SuppressMessage(
        "Design",
        "CA1031:Do not catch general exception types",
        Justification = "One member's failing sample must not cost the others theirs; it is counted, as SafeTicker counts.")]
    private void SampleAll()
    {
        foreach (var sample in _members.Values)
        {
            try
            {
                sample();
            }
            catch (Exception)
            {
                // Increment: a closing ticker's last tick can still run while a new ticker's first one does (a member
                // joined just as the last one left), and tests read the count from another thread.
                Interlocked.Increment(ref _faults);
            }
        }
    }

    private sealed class Membership(SharedSampler sampler) : IDisposable
    {
        private TickerLease? _lease;
        private int _left;

        public void Hold(TickerLease lease) => _lease = lease;

        public void Dispose()
        {
            // Exchange: a membership leaves once, however often it is disposed, so it gives back one lease only.
            if (Interlocked.Exchange(ref _left, 1) == 0)
            {
                sampler._members.TryRemove(this, out _);
                _lease?.Dispose();
            }
        }
    }
}
