namespace LeakOperator.Leaks.Tasks.Patterns;

/// <summary>"Stop has returned", set by one thread and read by tick handlers on others.</summary>
internal sealed class StopFlag
{
    private volatile bool _set;

    public bool IsSet => _set;

    public void Set() => _set = true;
}
