namespace LeakOperator.Controller.Queue;

/// <summary>What a work queue reports about itself (metrics); the queue does not know where it goes.</summary>
public interface IWorkQueueObserver
{
    static IWorkQueueObserver None { get; } = new NoObserver();

    void Added(string queue);

    void Retried(string queue);

    void DepthChanged(string queue, int depth);

    /// <summary>An item was handed out after waiting this long since it was added (client-go's queue_duration).</summary>
    void Waited(string queue, TimeSpan waited);

    private sealed class NoObserver : IWorkQueueObserver
    {
        public void Waited(string queue, TimeSpan waited)
        {
        }

        public void Added(string queue)
        {
        }

        public void Retried(string queue)
        {
        }

        public void DepthChanged(string queue, int depth)
        {
        }
    }
}
