using LeakOperator.Controller.Reconciling;
using LeakOperator.Operator.Api;

namespace LeakOperator.Operator;

/// <summary>Records <see cref="LeakTestEvents"/> on a LeakTest.</summary>
internal static class LeakTestEventRecording
{
    public static Task RecordAsync(this EventRecorder events, LeakTest obj, LeakTestEvent e, CancellationToken cancellationToken) =>
        events.RecordAsync(obj, e.Type, e.Reason, e.Message, cancellationToken);

    /// <summary>Records each, in order.</summary>
    public static async Task RecordAsync(this EventRecorder events, LeakTest obj, IEnumerable<LeakTestEvent> all, CancellationToken cancellationToken)
    {
        foreach (var e in all)
        {
            await events.RecordAsync(obj, e, cancellationToken).ConfigureAwait(false);
        }
    }
}
