namespace LeakOperator.Leaks.Injections;

/// <summary>The one lock-free step both caps are built on: take up to what is wanted without passing a limit.</summary>
internal static class BoundedCounter
{
    /// <summary>Adds up to <paramref name="wanted"/> to <paramref name="held"/>, never past <paramref name="limit"/>; returns what was added.</summary>
    public static long TakeUpTo(ref long held, long limit, long wanted)
    {
        long current = Interlocked.Read(ref held);
        while (true)
        {
            long grant = Math.Min(wanted, limit - current);
            if (grant <= 0)
            {
                return 0;
            }

            // CAS: concurrent takers can never together push the count past the limit; a loser re-reads and retries.
            long seen = Interlocked.CompareExchange(ref held, current + grant, current);
            if (seen == current)
            {
                return grant;
            }

            current = seen;
        }
    }
}
