using System.Runtime.InteropServices;
using LeakOperator.Diagnostics;
using Microsoft.Diagnostics.NETCore.Client;
using Microsoft.Diagnostics.Runtime;

namespace LeakOperator.Leaks.Tests.ClrMd;

/// <summary>
/// The other way to dump timers that #17 asked to measure: the process asks the runtime for a dump of itself
/// (<c>createdump</c>, through the diagnostics port, as <c>dotnet-dump</c> does), and ClrMD reads the scheduled
/// <c>TimerQueueTimer</c> objects off the dump's heap, following each PeriodicTimer to the state machine awaiting it.
/// Kept in the tests only, for <see cref="TimerDumpMechanismTests"/>: it names owners as <see cref="TimerDump"/> does,
/// so the two can be compared group by group.
/// </summary>
internal static class ClrMdTimerDump
{
    private const uint NotScheduled = uint.MaxValue;

    public static IReadOnlyList<TimerGroup> Take()
    {
        // What the in-process dump sees is after a collection too: unreachable timers are not counted by either.
        FullGc.Collect();
        string path = Path.Combine(Path.GetTempPath(), $"leakoperator-timers-{Environment.ProcessId}-{Guid.NewGuid():N}.dmp");
        try
        {
            new DiagnosticsClient(Environment.ProcessId).WriteDump(DumpType.WithHeap, path, logDumpGeneration: false);
            using var target = DataTarget.LoadDump(path);
            // The dump does not carry the runtime's version where ClrMD 4.2 looks for it on Linux, so the DAC shipped
            // beside this very runtime is given and the check skipped (it is the same build by construction).
            string dac = Path.Combine(RuntimeEnvironment.GetRuntimeDirectory(), "libmscordaccore.so");
            using var runtime = target.ClrVersions[0].CreateRuntime(dac, ignoreMismatch: true);
            var counts = new Dictionary<(string Owner, string Kind, long Period), int>();
            foreach (var timer in runtime.Heap.EnumerateObjects().Where(o => o.Type?.Name == "System.Threading.TimerQueueTimer"))
            {
                if (timer.ReadField<uint>("_dueTime") == NotScheduled)
                {
                    continue; // disposed or never started: not in a queue
                }

                uint period = timer.ReadField<uint>("_period");
                var key = Describe(timer, period == NotScheduled ? 0 : period);
                counts[key] = counts.GetValueOrDefault(key) + 1;
            }

            return [.. counts.Select(c => new TimerGroup(c.Key.Owner, c.Key.Kind, c.Key.Period, c.Value)).OrderByDescending(g => g.Count)];
        }
        finally
        {
            File.Delete(path);
        }
    }

    private static (string Owner, string Kind, long Period) Describe(ClrObject timer, long period)
    {
        var state = timer.ReadObjectField("_state");
        if (state.IsValid && state.Type?.Name == "System.Threading.PeriodicTimer+State")
        {
            var continuation = state.ReadValueTypeField("_mrvtsc").ReadObjectField("_continuationState");
            return (AwaiterOf(continuation, depth: 0) ?? "PeriodicTimer (nobody awaiting)", "PeriodicTimer", period);
        }

        var callback = timer.ReadObjectField("_timerCallback");
        return (callback.IsValid ? callback.Type?.Name ?? "?" : "(no callback)", "System.Threading.Timer", period);
    }

    /// <summary>
    /// The async method a continuation resumes, following what TimerDump follows: a ValueTask awaited as a Task
    /// (<c>AsTask</c>, <c>WhenAny</c>) is a Task whose own continuation is the awaiting method.
    /// </summary>
    private static string? AwaiterOf(ClrObject continuation, int depth)
    {
        if (!continuation.IsValid || continuation.IsNull || depth > 8)
        {
            return null;
        }

        string? type = continuation.Type?.Name;
        if (type is null)
        {
            return null;
        }

        if (type.Contains("AsyncStateMachineBox<", StringComparison.Ordinal))
        {
            return BoxOwner(type);
        }

        // A Task standing for the ValueTask: its continuation is the next link.
        if (continuation.Type!.GetFieldByName("m_continuationObject") is not null)
        {
            return AwaiterOf(continuation.ReadObjectField("m_continuationObject"), depth + 1);
        }

        return type;
    }

    /// <summary>"…AsyncStateMachineBox&lt;Ns.Type+&lt;LoopAsync&gt;d__3&gt;" → "Ns.Type.LoopAsync", as TimerDump names it.</summary>
    private static string BoxOwner(string boxType)
    {
        const string Box = "AsyncStateMachineBox<";
        int start = boxType.LastIndexOf(Box, StringComparison.Ordinal);
        string machine = start < 0 ? boxType : boxType[(start + Box.Length)..^1];
        int comma = machine.LastIndexOf(',');
        machine = comma < 0 ? machine : machine[(comma + 1)..];
        int split = machine.LastIndexOf("+<", StringComparison.Ordinal);
        if (split < 0)
        {
            return machine;
        }

        string method = machine[(split + 2)..];
        return $"{machine[..split]}.{method[..method.IndexOf('>', StringComparison.Ordinal)]}";
    }
}
