using System.Diagnostics;
using k8s;
using LeakOperator.Controller.Resources;
using LeakOperator.IntegrationTests.ControlPlane;
using LeakOperator.Operator.Api;
using Xunit.Abstractions;

namespace LeakOperator.IntegrationTests;

/// <summary>
/// The startup benchmark's load: a namespace of 1,000 safe task LeakTests created before a controller starts, and a
/// watch that waits until the controller has observed every one (status.observedGeneration == metadata.generation).
/// </summary>
public sealed class ExistingLeakTests : IAsyncDisposable
{
    public const int Count = 1000;

    private readonly ControlPlaneFixture _fixture;

    private ExistingLeakTests(ControlPlaneFixture fixture, TestNamespace ns, IReadOnlyList<string> names)
    {
        _fixture = fixture;
        Namespace = ns;
        Names = names;
    }

    public TestNamespace Namespace { get; }

    public IReadOnlyList<string> Names { get; }

    public static async Task<ExistingLeakTests> CreateAsync(ControlPlaneFixture fixture, string prefix)
    {
        var ns = await TestNamespace.CreateAsync(fixture, prefix);
        var objects = new LeakTestObjects(fixture.Admin);
        var names = Enumerable.Range(0, Count).Select(i => $"t{i:0000}").ToList();
        await Parallel.ForEachAsync(names, new ParallelOptions { MaxDegreeOfParallelism = 16 }, async (name, _) =>
            await objects.CreateAsync(LeakTestObjects.New(ns, name, new LeakTestSpec { LeakType = "task", Mode = "safe", DurationSeconds = 600, RatePerSecond = 0.1, MaxUnits = 1 })));
        return new ExistingLeakTests(fixture, ns, names);
    }

    /// <summary>
    /// Follows the LeakTests with one watch (polling lists of 1,000 objects would load the API server being
    /// measured) until each has observedGeneration == generation, or the deadline passes.
    /// </summary>
    /// <param name="clock">Started when the controller was: the times in the result are read from it.</param>
    public async Task<Observation> WatchUntilObservedAsync(Stopwatch clock, TimeSpan deadline, ITestOutputHelper output)
    {
        var pending = new HashSet<string>(Names, StringComparer.Ordinal);
        var observedAt = new List<TimeSpan>();
        var client = new CustomResourceClient<LeakTest>(_fixture.Admin, LeakTest.Definition);
        void See(LeakTest t)
        {
            if (t.Metadata.NamespaceProperty == Namespace.Name && t.Status?.ObservedGeneration == t.Metadata.Generation && pending.Remove(t.Metadata.Name))
            {
                observedAt.Add(clock.Elapsed);
            }
        }

        using var timeout = new CancellationTokenSource(deadline);
        async Task<string> ListAsync()
        {
            var (items, listed) = await client.ListAsync(timeout.Token);
            foreach (var t in items)
            {
                See(t);
            }

            return listed;
        }

        try
        {
            string version = await ListAsync();
            while (pending.Count > 0)
            {
                await foreach (var change in client.WatchAsync(version, deadline, timeout.Token))
                {
                    if (change.Type == WatchEventType.Error)
                    {
                        // 410 Gone (the version was compacted) or another error ends the watch: list again, as an informer does.
                        version = await ListAsync();
                        break;
                    }

                    version = change.BookmarkVersion ?? change.Resource?.Metadata.ResourceVersion ?? version;
                    if (change.Resource is { } t)
                    {
                        See(t);
                    }

                    if (pending.Count == 0)
                    {
                        break;
                    }
                }
            }
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested)
        {
            output.WriteLine($"{pending.Count} of {Count} not observed within {deadline.TotalSeconds:0} s, e.g. {string.Join(", ", pending.Take(5))}");
        }

        return new Observation(pending, observedAt, clock.Elapsed);
    }

    public ValueTask DisposeAsync() => Namespace.DisposeAsync();

    /// <param name="Pending">The LeakTests never seen observed by the deadline.</param>
    /// <param name="ObservedAt">When each of the others was first seen observed, in order.</param>
    /// <param name="Ended">When the watch ended: all observed, or the deadline.</param>
    public sealed record Observation(IReadOnlySet<string> Pending, IReadOnlyList<TimeSpan> ObservedAt, TimeSpan Ended)
    {
        /// <summary>When the given share of all LeakTests (0 for the first one, 0.5 for half) had been observed.</summary>
        public TimeSpan At(double share) =>
            ObservedAt.Count == 0 ? Ended : ObservedAt[(int)Math.Min(ObservedAt.Count - 1, share * Count)];
    }
}
