using LeakOperator.Diagnostics;
using LeakOperator.Leaks.Injections;

namespace LeakOperator.Leaks.Memory;

/// <summary>
/// Safe: the same allocations, kept in a bounded buffer the injection owns. When it is full the oldest snapshot
/// is dropped, so what is retained stays at one step's worth however long it runs; release empties it.
/// </summary>
internal sealed class SafeMemoryLeak(UnitLedger ledger, int capacityUnits) : ILeak
{
    private readonly Queue<byte[]> _recent = new();
    private readonly Lock _gate = new();
    private readonly int _capacity = Math.Max(1, capacityUnits);

    public string Pattern => "bounded-owned-buffer";

    public ValueTask StepAsync(int units, CancellationToken cancellationToken)
    {
        int granted = ledger.TryTake(units);
        int evicted = 0;
        lock (_gate)
        {
            for (int i = 0; i < granted; i++)
            {
                _recent.Enqueue(TouchedBuffer.AllocateOneUnit());
                if (_recent.Count > _capacity)
                {
                    _recent.Dequeue();
                    evicted++;
                }
            }
        }

        ledger.Return(evicted);
        return ValueTask.CompletedTask;
    }

    public long MeasureLive()
    {
        lock (_gate)
        {
            return _recent.Count;
        }
    }

    public IReadOnlyDictionary<string, double> Evidence() => new Dictionary<string, double>
    {
        ["boundedCapacityMiB"] = _capacity,
    };

    public ValueTask ReleaseAsync()
    {
        int released;
        lock (_gate)
        {
            released = _recent.Count;
            _recent.Clear();
        }

        ledger.Return(released);
        FullGc.ReturnMemoryToTheSystem();
        return ValueTask.CompletedTask;
    }
}
