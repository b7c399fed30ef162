using System.Runtime.CompilerServices;
using LeakOperator.Diagnostics;
using LeakOperator.Leaks.Injections;
using LeakOperator.Leaks.Tracking;

namespace LeakOperator.Leaks.Memory;

/// <summary>
/// Leaky: each unit is a 1 MiB settings snapshot whose owner subscribes to a static event and never unsubscribes.
/// The static event roots it, so it survives every GC; only release (which unsubscribes) frees it.
/// </summary>
internal sealed class LeakyMemoryLeak(UnitLedger ledger) : ILeak
{
    private readonly WeakTracker<SnapshotHolder> _holders = new();

    public string Pattern => "static-event-subscriber";

    public ValueTask StepAsync(int units, CancellationToken cancellationToken)
    {
        int granted = ledger.TryTake(units);
        for (int i = 0; i < granted; i++)
        {
            var holder = new SnapshotHolder(TouchedBuffer.AllocateOneUnit());
            ProcessEvents.SettingsChanged += holder.OnSettingsChanged;
            _holders.Add(holder);
        }

        return ValueTask.CompletedTask;
    }

    public long MeasureLive() => _holders.CountLive(holder => holder.Subscribed);

    public IReadOnlyDictionary<string, double> Evidence() => new Dictionary<string, double>
    {
        ["staticEventSubscribers"] = ProcessEvents.SubscriberCount,
    };

    public ValueTask ReleaseAsync()
    {
        ledger.Return(UnsubscribeAll());
        FullGc.ReturnMemoryToTheSystem();
        return ValueTask.CompletedTask;
    }

    /// <summary>Its own frame, so no local of it (a debug build keeps them to the end) still holds a buffer at the GC.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private long UnsubscribeAll()
    {
        long released = 0;
        foreach (var holder in _holders.Drain())
        {
            if (holder.Unsubscribe())
            {
                released++;
            }
        }

        return released;
    }

    /// <summary>The kind of object that leaks in real code: it meant to refresh its snapshot on every change.</summary>
    private sealed class SnapshotHolder(byte[] snapshot)
    {
        private int _subscribed = 1;

        public bool Subscribed => Volatile.Read(ref _subscribed) == 1;

        public void OnSettingsChanged(object? sender, EventArgs e) => snapshot[0]++;

        public bool Unsubscribe()
        {
            if (Interlocked.Exchange(ref _subscribed, 0) == 0)
            {
                return false;
            }

            ProcessEvents.SettingsChanged -= OnSettingsChanged;
            return true;
        }
    }
}
