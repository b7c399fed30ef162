using System.Collections.Concurrent;
using LeakOperator.Operator;
using LeakOperator.Timing;
using Microsoft.Extensions.Time.Testing;

namespace LeakOperator.Tests.Operator;

/// <summary>
/// One sampling ticker shared by reference count: every member is sampled on each tick, the last member to leave
/// closes the ticker, a member never holds a lease on a closed ticker, and a new member after that starts a new one.
/// </summary>
public sealed class SharedSamplerTests
{
    private static readonly TimeSpan s_interval = TimeSpan.FromSeconds(1);

    [Fact]
    public void Members_share_one_ticker_and_the_last_to_leave_closes_it()
    {
        var time = new FakeTimeProvider();
        var sampler = new SharedSampler(s_interval, time);
        int a = 0, b = 0;

        var first = sampler.Join(() => a++);
        var shared = sampler.Ticker;
        var second = sampler.Join(() => b++);
        time.Advance(s_interval);

        Assert.NotNull(shared);
        Assert.Same(shared, sampler.Ticker);
        Assert.Equal((1, 1), (a, b));

        first.Dispose();
        time.Advance(s_interval);
        Assert.Equal((1, 2), (a, b));
        Assert.Same(shared, sampler.Ticker);

        second.Dispose();
        Assert.Equal(TickerState.Closed, shared.State);
        Assert.Null(sampler.Ticker);
        time.Advance(s_interval);
        Assert.Equal((1, 2), (a, b));
    }

    [Fact]
    public void A_member_whose_sample_throws_costs_the_others_nothing_and_is_counted()
    {
        var time = new FakeTimeProvider();
        var sampler = new SharedSampler(s_interval, time);
        int before = 0, after = 0;

        // Members are sampled in no set order; two healthy ones and the failing one, each sampled on both ticks.
        using var first = sampler.Join(() => before++);
        using var failing = sampler.Join(() => throw new InvalidOperationException("a broken reading"));
        using var last = sampler.Join(() => after++);
        time.Advance(s_interval);
        time.Advance(s_interval);

        Assert.Equal((2, 2), (before, after));
        Assert.Equal(2, sampler.Faults);
        Assert.Equal(0, sampler.Ticker!.Faults);
    }

    [Fact]
    public void A_member_after_the_last_left_starts_a_new_ticker()
    {
        var time = new FakeTimeProvider();
        var sampler = new SharedSampler(s_interval, time);
        sampler.Join(() => { }).Dispose();
        int c = 0;

        using var again = sampler.Join(() => c++);
        time.Advance(s_interval);

        Assert.Equal(1, c);
        Assert.Equal(TickerState.Running, sampler.Ticker?.State);
    }

    [Fact]
    public void Leaving_twice_gives_back_one_lease()
    {
        var time = new FakeTimeProvider();
        var sampler = new SharedSampler(s_interval, time);
        int stays = 0;
        var leaves = sampler.Join(() => { });
        using var member = sampler.Join(() => stays++);

        leaves.Dispose();
        leaves.Dispose();
        time.Advance(s_interval);

        Assert.Equal(1, stays);
        Assert.Equal(1, sampler.Members);
    }

    [Fact]
    public async Task Under_many_threads_joining_and_leaving_a_member_always_has_a_running_ticker_and_the_last_leaves_none()
    {
        const int Threads = 8;
        const int Rounds = 2_000;
        var time = new FakeTimeProvider();
        var sampler = new SharedSampler(s_interval, time);
        var broken = new ConcurrentQueue<string>();
        using var start = new Barrier(Threads);

        var workers = Enumerable.Range(0, Threads).Select(seed => Task.Factory.StartNew(
            () =>
            {
                var random = new Random(seed);
                start.SignalAndWait();
                for (int round = 0; round < Rounds; round++)
                {
                    var member = sampler.Join(() => { });

                    // The invariant the lock and the leases keep: while a member is joined, the ticker it leased runs.
                    if (sampler.Ticker is not { State: TickerState.Running })
                    {
                        broken.Enqueue($"round {round} on thread {seed}: joined, but no ticker runs");
                    }

                    if (random.Next(4) == 0)
                    {
                        Parallel.Invoke(member.Dispose, member.Dispose);
                    }
                    else
                    {
                        member.Dispose();
                    }
                }
            },
            CancellationToken.None,
            TaskCreationOptions.LongRunning,
            TaskScheduler.Default)).ToArray();
        await Task.WhenAll(workers);

        Assert.Empty(broken);
        Assert.Equal(0, sampler.Members);
        Assert.Null(sampler.Ticker);
    }

    [Fact]
    public async Task A_member_held_throughout_keeps_the_first_ticker_however_many_come_and_go()
    {
        var time = new FakeTimeProvider();
        var sampler = new SharedSampler(s_interval, time);
        int held = 0;
        var holder = sampler.Join(() => Interlocked.Increment(ref held));
        var first = sampler.Ticker;

        await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => Task.Run(() =>
        {
            for (int i = 0; i < 2_000; i++)
            {
                sampler.Join(() => { }).Dispose();
            }
        })));
        time.Advance(s_interval);

        Assert.Same(first, sampler.Ticker);
        Assert.Equal(1, held);
        holder.Dispose();
        Assert.Null(sampler.Ticker);
    }
}
