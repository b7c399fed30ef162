using k8s.Models;

namespace LeakOperator.Operator;

/// <summary>Standard condition bookkeeping: lastTransitionTime moves only when a condition's status changes.</summary>
public static class ConditionSet
{
    public static void Set(IList<V1Condition> conditions, string type, bool status, string reason, string message, long? generation, DateTime now)
    {
        string value = status ? "True" : "False";
        var existing = conditions.FirstOrDefault(c => c.Type == type);
        if (existing is null)
        {
            conditions.Add(new V1Condition { LastTransitionTime = now, Message = message, Reason = reason, Status = value, Type = type, ObservedGeneration = generation });
            return;
        }

        if (existing.Status != value)
        {
            existing.LastTransitionTime = now;
        }

        existing.Status = value;
        existing.Reason = reason;
        existing.Message = message;
        existing.ObservedGeneration = generation;
    }

    public static bool IsTrue(IEnumerable<V1Condition>? conditions, string type) =>
        conditions?.Any(c => c.Type == type && c.Status == "True") == true;
}
