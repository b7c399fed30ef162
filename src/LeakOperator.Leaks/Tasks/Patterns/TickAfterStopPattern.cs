using LeakOperator.Leaks.Tasks.StopFailures;
using LeakOperator.Timing;

namespace LeakOperator.Leaks.Tasks.Patterns;

/// <summary>
/// Failure 4, ticks after Stop. Each unit stops a ticker while a tick is inside its handler, then lets the tick go on.
/// Naive: Stop flips a flag and returns at once, so the handler's work lands after Stop returned.
/// Safe: <see cref="SafeTicker.Stop"/> waits for the tick in flight, so nothing is handled after it returns.
/// </summary>
internal sealed class TickAfterStopPattern() : StopPattern(TaskPattern.TickAfterStop, StopEvidenceNames.TicksAfterStop)
{
    /// <summary>How long a Stop may take before the held tick is let go anyway (a correct Stop is waiting for it).</summary>
    private static readonly TimeSpan s_stopGrace = TimeSpan.FromMilliseconds(20);

    public override async Task<StopAttempt> RunLeakyAsync(TimeSpan period, StopEvidence evidence, CancellationToken cancellationToken)
    {
        var probe = new HeldTickProbe();
        using var ticker = new TickAfterStopTicker(period, probe.OnTick);
        return await probe.StopDuringTickAsync(ticker.Stop, period, evidence, cancellationToken).ConfigureAwait(false);
    }

    public override async Task<StopAttempt> RunSafeAsync(TimeSpan period, StopEvidence evidence, CancellationToken cancellationToken)
    {
        var probe = new HeldTickProbe();
        using var ticker = new SafeTicker(period, _ => probe.OnTick());
        return await probe.StopDuringTickAsync(() => ticker.Stop(), period, evidence, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Holds the first tick, stops the ticker meanwhile, and sees whether the tick's work landed after Stop.</summary>
    private sealed class HeldTickProbe
    {
        private readonly FirstTickHold _hold = new();
        private readonly StopFlag _stopReturned = new();
        private readonly TaskCompletionSource<bool> _heldTickRanLate = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public void OnTick()
        {
            if (_hold.OnTick())
            {
                // The held tick's work happens here, after the hold: was Stop already done with it?
                _heldTickRanLate.TrySetResult(_stopReturned.IsSet);
            }
        }

        public async Task<StopAttempt> StopDuringTickAsync(Action stop, TimeSpan period, StopEvidence evidence, CancellationToken cancellationToken)
        {
            try
            {
                if (!await _hold.EnteredAsync(LostStopPattern.FirstTickTimeout(period), cancellationToken).ConfigureAwait(false))
                {
                    return StopAttempt.Clean;
                }

                // Its own thread, not the pool's: the held tick already blocks a pool thread, and letting it go must
                // not wait for another one to free up.
                var stopper = new Thread(() =>
                {
                    stop();
                    _stopReturned.Set();
                })
                { IsBackground = true, Name = "tick-after-stop stopper" };
                stopper.Start();

                // A naive Stop returns at once; a correct one waits for the held tick, so let it go after a moment.
                stopper.Join(s_stopGrace);
                _hold.Release();
                stopper.Join();
                if (!await _heldTickRanLate.Task.WaitAsync(TimeSpan.FromSeconds(10), CancellationToken.None).ConfigureAwait(false))
                {
                    return StopAttempt.Clean;
                }

                evidence.Add(StopEvidenceNames.TicksAfterStop);
                return StopAttempt.Recorded();
            }
            finally
            {
                _hold.Release();
            }
        }
    }
}
