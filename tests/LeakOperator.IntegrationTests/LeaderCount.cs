namespace LeakOperator.IntegrationTests;

/// <summary>How many contenders run their work now, and the most that ever did at once.</summary>
internal sealed class LeaderCount
{
    private int _now;
    private int _most;

    public int Now => Volatile.Read(ref _now);

    public int Most => Volatile.Read(ref _most);

    public void Enter()
    {
        int now = Interlocked.Increment(ref _now);

        // A CAS loop: _most only ever grows, to the highest _now any Enter saw.
        for (int most = Volatile.Read(ref _most); now > most; most = Volatile.Read(ref _most))
        {
            if (Interlocked.CompareExchange(ref _most, now, most) == most)
            {
                break;
            }
        }
    }

    public void Leave() => Interlocked.Decrement(ref _now);
}
