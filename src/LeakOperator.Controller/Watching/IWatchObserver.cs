namespace LeakOperator.Controller.Watching;

/// <summary>What a watch reports about itself (metrics).</summary>
public interface IWatchObserver
{
    static IWatchObserver None { get; } = new NoObserver();

    /// <summary>The watch starts: publish its counters at zero, so dashboards see them before the first event.</summary>
    void Started(string resource);

    void EventReceived(string resource, string type);

    void Reconnected(string resource, string reason);

    private sealed class NoObserver : IWatchObserver
    {
        public void Started(string resource)
        {
        }

        public void EventReceived(string resource, string type)
        {
        }

        public void Reconnected(string resource, string reason)
        {
        }
    }
}
