namespace LeakOperator.Controller.Watching;

/// <summary>What a watch reports about itself (metrics).</summary>
public interface IWatchObserver
{
    static IWatchObserver None { get; } = new NoObserver();

    void EventReceived(string resource, string type);

    void Reconnected(string resource, string reason);

    private sealed class NoObserver : IWatchObserver
    {
        public void EventReceived(string resource, string type)
        {
        }

        public void Reconnected(string resource, string reason)
        {
        }
    }
}
