using LeakOperator.Controller.Queue;
using LeakOperator.Diagnostics;
using Microsoft.Extensions.Time.Testing;

namespace LeakOperator.Controller.Tests;

public sealed class WorkQueueTests
{
    private static readonly TimeSpan s_wait = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task Adding_a_waiting_item_again_does_nothing()
    {
        using var queue = new WorkQueue<string>("test");
        queue.Add("a");
        queue.Add("a");
        queue.Add("b");

        Assert.Equal(2, queue.Depth);
        Assert.Equal((true, "a"), await queue.TakeAsync(CancellationToken.None));
        Assert.Equal((true, "b"), await queue.TakeAsync(CancellationToken.None));
        Assert.Equal(0, queue.Depth);
    }

    [Fact]
    public async Task An_item_added_while_processed_waits_until_Done_and_then_comes_back_once()
    {
        using var queue = new WorkQueue<string>("test");
        queue.Add("a");
        var (_, first) = await queue.TakeAsync(CancellationToken.None);

        queue.Add("a");
        queue.Add("a");
        Assert.Equal(0, queue.Depth);

        queue.Done(first);
        Assert.Equal(1, queue.Depth);
        Assert.Equal((true, "a"), await queue.TakeAsync(CancellationToken.None));
    }

    [Fact]
    public async Task The_wait_reported_runs_from_the_first_add_to_the_take_and_repeated_adds_do_not_reset_it()
    {
        var time = new FakeTimeProvider();
        var observer = new WaitRecorder();
        using var queue = new WorkQueue<string>("test", time, observer);
        queue.Add("a");
        time.Advance(TimeSpan.FromSeconds(2));
        queue.Add("a");
        time.Advance(TimeSpan.FromSeconds(3));

        await queue.TakeAsync(CancellationToken.None);

        Assert.Equal([TimeSpan.FromSeconds(5)], observer.Waits);
    }

    private sealed class WaitRecorder : IWorkQueueObserver
    {
        public List<TimeSpan> Waits { get; } = [];

        public void Added(string queue)
        {
        }

        public void Retried(string queue)
        {
        }

        public void DepthChanged(string queue, int depth)
        {
        }

        public void Waited(string queue, TimeSpan waited) => Waits.Add(waited);
    }

    [Fact]
    public async Task AddAfter_waits_for_the_delay_and_an_earlier_request_wins()
    {
        var time = new FakeTimeProvider();
        using var queue = new WorkQueue<string>("test", time);
        queue.AddAfter("a", TimeSpan.FromSeconds(10));
        queue.AddAfter("a", TimeSpan.FromSeconds(3));
        queue.AddAfter("a", TimeSpan.FromSeconds(20));

        time.Advance(TimeSpan.FromSeconds(2));
        Assert.Equal(0, queue.Depth);
        time.Advance(TimeSpan.FromSeconds(1));
        await WaitUntil(() => queue.Depth == 1);
        Assert.Equal((true, "a"), await queue.TakeAsync(CancellationToken.None));
        queue.Done("a");

        time.Advance(TimeSpan.FromSeconds(30));
        Assert.Equal(0, queue.Depth);
        Assert.Equal(0, queue.Waiting);
    }

    [Fact]
    public async Task Delayed_items_come_out_in_due_order_whatever_order_they_were_added_in()
    {
        var time = new FakeTimeProvider();
        using var queue = new WorkQueue<string>("test", time);
        queue.AddAfter("c", TimeSpan.FromSeconds(30));
        queue.AddAfter("a", TimeSpan.FromSeconds(10));
        queue.AddAfter("b", TimeSpan.FromSeconds(20));
        queue.AddAfter("b", TimeSpan.FromSeconds(5)); // sooner: moves b ahead of a
        Assert.Equal(3, queue.Waiting);

        var order = new List<string>();
        for (int second = 1; second <= 30; second++)
        {
            time.Advance(TimeSpan.FromSeconds(1));
            while (queue.Depth > 0)
            {
                var (_, item) = await queue.TakeAsync(CancellationToken.None);
                order.Add($"{item}@{second}");
                queue.Done(item);
            }
        }

        // b's stale 20 s entry adds nothing: each item comes out once, at its own (soonest) time.
        Assert.Equal(["b@5", "a@10", "c@30"], order);
        Assert.Equal(0, queue.Waiting);
    }

    [Fact]
    public void A_thousand_delayed_keys_wait_on_one_timer_and_shutdown_stops_it()
    {
        // The queue's own timer is created with the queue; the keys must add none.
        var before = TimerDump.Take();
        var queue = new WorkQueue<int>("many");
        for (int key = 0; key < 1_000; key++)
        {
            queue.AddAfter(key, TimeSpan.FromMinutes(10) + TimeSpan.FromMilliseconds(key));
        }

        var grown = TimerDump.Take().GrownSince(before).Where(g => g.Owner.Contains("LeakOperator.Controller", StringComparison.Ordinal)).Sum(g => g.Count);
        Assert.Equal(1_000, queue.Waiting);
        Assert.True(grown <= 1, $"{grown} timers for 1,000 delayed keys:\n{TimerDump.Format(TimerDump.Take())}");

        queue.Dispose();
        Assert.Equal(0, queue.Waiting);
        Assert.DoesNotContain(TimerDump.Take().GrownSince(before), g => g.Owner.Contains("LeakOperator.Controller", StringComparison.Ordinal));
    }

    [Fact]
    public void Backoff_doubles_from_5ms_to_a_1000s_ceiling_and_Forget_resets_it()
    {
        var backoff = new ItemBackoff<string>();
        var delays = Enumerable.Range(0, 25).Select(_ => backoff.NextDelay("a")).ToList();

        Assert.Equal(TimeSpan.FromMilliseconds(5), delays[0]);
        Assert.Equal(TimeSpan.FromMilliseconds(10), delays[1]);
        Assert.Equal(TimeSpan.FromMilliseconds(5 * 1024), delays[10]);
        Assert.Equal(TimeSpan.FromSeconds(1000), delays[^1]);
        Assert.Equal(TimeSpan.FromMilliseconds(5), backoff.NextDelay("b"));

        backoff.Forget("a");
        Assert.Equal(TimeSpan.FromMilliseconds(5), backoff.NextDelay("a"));
    }

    [Fact]
    public async Task ShutDown_wakes_waiting_workers_and_drops_delayed_adds()
    {
        using var queue = new WorkQueue<string>("test");
        var taker = queue.TakeAsync(CancellationToken.None);
        queue.AddAfter("later", TimeSpan.FromMinutes(5));

        queue.ShutDown();

        Assert.False((await taker.WaitAsync(s_wait)).Taken);
        Assert.Equal(0, queue.Waiting);
        queue.Add("x");
        Assert.Equal(0, queue.Depth);
    }

    [Fact]
    public async Task Many_workers_never_process_one_key_at_the_same_time_and_lose_no_add()
    {
        using var queue = new WorkQueue<int>("stress");
        const int Keys = 20;
        var inFlight = new int[Keys];
        var processedAfterLastAdd = new int[Keys];
        int overlaps = 0;

        var workers = Enumerable.Range(0, 8).Select(_ => Task.Run(async () =>
        {
            while (await queue.TakeAsync(CancellationToken.None) is (true, var key))
            {
                if (Interlocked.Increment(ref inFlight[key]) > 1)
                {
                    Interlocked.Increment(ref overlaps);
                }

                Volatile.Write(ref processedAfterLastAdd[key], 1);
                await Task.Yield();
                Interlocked.Decrement(ref inFlight[key]);
                queue.Done(key);
            }
        })).ToList();

        var producers = Enumerable.Range(0, 4).Select(seed => Task.Run(() =>
        {
            var random = new Random(seed);
            for (int i = 0; i < 20_000; i++)
            {
                int key = random.Next(Keys);
                Volatile.Write(ref processedAfterLastAdd[key], 0);
                queue.Add(key);
            }
        })).ToList();
        await Task.WhenAll(producers);

        // Every key's last add must be followed by a processing: an add made while the key was in flight is not lost.
        await WaitUntil(() => processedAfterLastAdd.All(p => Volatile.Read(ref p) == 1) && queue.Depth == 0);
        queue.ShutDown();
        await Task.WhenAll(workers).WaitAsync(s_wait);

        Assert.Equal(0, overlaps);
    }

    private static async Task WaitUntil(Func<bool> condition)
    {
        var watch = System.Diagnostics.Stopwatch.StartNew();
        while (!condition())
        {
            Assert.True(watch.Elapsed < s_wait, "condition not met before the deadline");
            await Task.Delay(5);
        }
    }
}
