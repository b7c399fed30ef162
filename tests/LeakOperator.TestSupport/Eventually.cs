using System.Diagnostics;
using Xunit;

namespace LeakOperator.TestSupport;

/// <summary>Waiting on a condition with a deadline, never a bare sleep.</summary>
public static class Eventually
{
    /// <summary>Waits for <paramref name="condition"/>; fails with <paramref name="what"/> if the deadline passes first.</summary>
    public static Task True(Func<Task<bool>> condition, string what, TimeSpan deadline, TimeSpan? poll = null) =>
        True(condition, () => what, deadline, poll);

    /// <summary>As above, with a description made only on failure (it may show the last state seen).</summary>
    public static async Task True(Func<Task<bool>> condition, Func<string> what, TimeSpan deadline, TimeSpan? poll = null)
    {
        var (met, last) = await PollAsync(condition, deadline, poll);
        if (!met)
        {
            Assert.Fail($"not met within {deadline.TotalSeconds:0} s: {what()}{(last is null ? "" : $" (last error: {last.Message})")}");
        }
    }

    /// <summary>
    /// Polls <paramref name="read"/> until <paramref name="accept"/> takes a reading; returns that reading, or null at
    /// the deadline. For callers that try again instead of failing.
    /// </summary>
    public static async Task<T?> Within<T>(Func<T> read, Func<T, bool> accept, TimeSpan deadline, TimeSpan? poll = null)
        where T : class
    {
        T? accepted = null;
        var (met, _) = await PollAsync(
            () =>
            {
                var reading = read();
                accepted = accept(reading) ? reading : null;
                return Task.FromResult(accepted is not null);
            },
            deadline,
            poll);
        return met ? accepted : null;
    }

    /// <summary>The one poll loop: true once the condition holds, false at the deadline, with the last error seen.</summary>
    private static async Task<(bool Met, Exception? LastError)> PollAsync(Func<Task<bool>> condition, TimeSpan deadline, TimeSpan? poll)
    {
        var watch = Stopwatch.StartNew();
        Exception? last = null;
        while (true)
        {
            try
            {
                if (await condition())
                {
                    return (true, last);
                }
            }
            catch (Exception e) when (e is not Xunit.Sdk.XunitException)
            {
                last = e;
            }

            if (watch.Elapsed > deadline)
            {
                return (false, last);
            }

            await Task.Delay(poll ?? TimeSpan.FromMilliseconds(100));
        }
    }

    /// <summary>Waits for a synchronous condition; the deadline defaults to 20 s.</summary>
    public static Task True(Func<bool> condition, string what, TimeSpan? deadline = null) =>
        True(() => Task.FromResult(condition()), what, deadline ?? TimeSpan.FromSeconds(20));

    /// <summary>Waits for a synchronous condition; <paramref name="what"/> is asked only on failure, to show the last state.</summary>
    public static Task True(Func<bool> condition, Func<string> what, TimeSpan? deadline = null) =>
        True(() => Task.FromResult(condition()), what, deadline ?? TimeSpan.FromSeconds(20));
}
