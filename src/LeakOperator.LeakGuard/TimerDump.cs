using System.Diagnostics.CodeAnalysis;
using System.Reflection;
using System.Runtime.CompilerServices;

namespace LeakOperator.Diagnostics;

/// <summary>One group of the dump: live timers with the same owner, kind and period.</summary>
/// <param name="Owner">Who keeps the timer scheduled: the async method awaiting it (a PeriodicTimer or Task.Delay), or a
/// Timer's callback method and its target type, or a System.Timers.Timer's Elapsed handlers.</param>
/// <param name="Kind">PeriodicTimer, Task.Delay, System.Threading.Timer or System.Timers.Timer.</param>
/// <param name="PeriodMilliseconds">Milliseconds between ticks; 0 for a one-shot timer or delay.</param>
/// <param name="Count">How many live timers have this owner, kind and period.</param>
public sealed record TimerGroup(string Owner, string Kind, long PeriodMilliseconds, int Count);

/// <summary>The dump: every live timer of the process, grouped by owner, biggest group first.</summary>
/// <param name="Supported">False when this runtime's timer queues could not be read: then only <see cref="Total"/> is set.</param>
/// <param name="Total">Every scheduled timer of the process.</param>
/// <param name="Groups">The timers by owner, kind and period, biggest group first.</param>
/// <param name="Problem">Why the queues could not be read, when they could not.</param>
public sealed record TimerDumpResult(bool Supported, long Total, IReadOnlyList<TimerGroup> Groups, string? Problem)
{
    /// <summary>
    /// The groups that have more timers than in <paramref name="before"/>, each counting only the new ones, biggest
    /// first. On a runtime whose queues cannot be read, one group of unknown owner holds the growth of the total.
    /// </summary>
    public IReadOnlyList<TimerGroup> GrownSince(TimerDumpResult before)
    {
        ArgumentNullException.ThrowIfNull(before);
        if (!Supported || !before.Supported)
        {
            long grown = Total - before.Total;
            return grown > 0 ? [new TimerGroup($"(owners unknown: {Problem ?? before.Problem})", "timer", 0, (int)grown)] : [];
        }

        var counts = before.Groups.ToDictionary(g => (g.Owner, g.Kind, g.PeriodMilliseconds), g => g.Count);
        return [.. Groups
            .Select(g => g with { Count = g.Count - counts.GetValueOrDefault((g.Owner, g.Kind, g.PeriodMilliseconds)) })
            .Where(g => g.Count > 0)
            .OrderByDescending(g => g.Count)];
    }
}

/// <summary>
/// The .NET answer to Go's <c>/debug/pprof/goroutine?debug=1</c>: every scheduled timer of the process, grouped by
/// who owns it, with a count per group. It reads the runtime's own timer queues in-process
/// (<c>System.Threading.TimerQueue.Instances</c>, each a linked list of <c>TimerQueueTimer</c>), under each queue's
/// lock, and follows a timer's state to the continuation waiting on it: for a PeriodicTimer the async state machine
/// awaiting <c>WaitForNextTickAsync</c>, for Task.Delay the one awaiting the delay.
/// </summary>
/// <remarks>
/// This is private runtime state (checked on .NET 10). When a field it needs is missing, the dump says so and
/// degrades to <c>Timer.ActiveCount</c>; <c>TimerDumpTests</c> fails loudly on such a runtime.
/// </remarks>
[UnconditionalSuppressMessage("Trimming", "IL2075", Justification = "Reads runtime-private fields by name; degrades to counts when they are gone.")]
public static class TimerDump
{
    private const BindingFlags Instance = BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic;
    private const BindingFlags Static = BindingFlags.Static | BindingFlags.Public | BindingFlags.NonPublic;

    private static readonly Lazy<Layout?> s_layout = new(Layout.Find);

    /// <summary>Reads every scheduled timer of the process now.</summary>
    public static TimerDumpResult Take()
    {
        if (s_layout.Value is not { } layout)
        {
            return new TimerDumpResult(false, Timer.ActiveCount, [], "this runtime's timer queues have an unknown layout; only the count is known");
        }

        var counts = new Dictionary<(string Owner, string Kind, long Period), int>();
        long total = 0;
        foreach (var queue in layout.Queues())
        {
            var gate = layout.LockOf(queue);
            gate.Enter();
            try
            {
                foreach (var head in layout.Heads(queue))
                {
                    for (var timer = head; timer is not null; timer = layout.Next(timer))
                    {
                        var key = Describe(layout, timer);
                        counts[key] = counts.GetValueOrDefault(key) + 1;
                        total++;
                    }
                }
            }
            finally
            {
                gate.Exit();
            }
        }

        var groups = counts.Select(c => new TimerGroup(c.Key.Owner, c.Key.Kind, c.Key.Period, c.Value))
            .OrderByDescending(g => g.Count).ThenBy(g => g.Owner, StringComparer.Ordinal).ToList();
        return new TimerDumpResult(true, total, groups, null);
    }

    /// <summary>The dump as text, like <c>goroutine?debug=1</c>: a header with the total, then one line per group.</summary>
    public static string Format(TimerDumpResult dump)
    {
        var text = new System.Text.StringBuilder();
        text.Append(System.Globalization.CultureInfo.InvariantCulture, $"timer dump: total {dump.Total}\n");
        if (!dump.Supported)
        {
            text.Append(System.Globalization.CultureInfo.InvariantCulture, $"# {dump.Problem}\n");
        }

        foreach (var group in dump.Groups)
        {
            string period = group.PeriodMilliseconds > 0 ? $"every {group.PeriodMilliseconds} ms" : "once";
            text.Append(System.Globalization.CultureInfo.InvariantCulture, $"{group.Count} @ {group.Owner} [{group.Kind}, {period}]\n");
        }

        return text.ToString();
    }

    private static (string Owner, string Kind, long Period) Describe(Layout layout, object timer)
    {
        long period = layout.PeriodOf(timer);
        var callback = layout.CallbackOf(timer);
        var state = layout.StateOf(timer);
        if (state?.GetType() == layout.PeriodicTimerState)
        {
            return (AwaiterOf(layout.ContinuationOfPeriodic(state)) ?? "PeriodicTimer (nobody awaiting)", "PeriodicTimer", period);
        }

        if (state is Task delay && layout.IsDelayPromise(delay))
        {
            return (AwaiterOf(layout.ContinuationOfTask(delay)) ?? "Task.Delay (nobody awaiting)", "Task.Delay", period);
        }

        if (callback?.Target is System.Timers.Timer elapsedTimer)
        {
            var handlers = layout.ElapsedHandlersOf(elapsedTimer)?.GetInvocationList().Select(MethodName) ?? [];
            return (string.Join(" + ", handlers.DefaultIfEmpty("(no Elapsed handler)")), "System.Timers.Timer", period);
        }

        return (callback is null ? "(no callback)" : MethodName(callback), "System.Threading.Timer", period);
    }

    /// <summary>The async method a continuation resumes: its state machine's declaring type and method name.</summary>
    private static string? AwaiterOf(object? continuation)
    {
        switch (continuation)
        {
            case null:
                return null;
            case IAsyncStateMachine machine:
                return StateMachineName(machine.GetType());
            case Delegate action when action.Target is { } target && target.GetType().Name.Contains("AsyncStateMachineBox", StringComparison.Ordinal):
                return AwaiterOf(target);
            case Delegate action:
                return MethodName(action);
            case System.Collections.IEnumerable many and not string:
                return string.Join(" + ", many.Cast<object?>().Select(AwaiterOf).Where(n => n is not null));
        }

        var type = continuation.GetType();
        if (type.Name.Contains("AsyncStateMachineBox", StringComparison.Ordinal) && type.IsGenericType)
        {
            return StateMachineName(type.GetGenericArguments()[^1]);
        }

        // A ValueTask awaited as a Task (AsTask, WhenAny): the awaiting method waits on that task in turn.
        if (continuation is Task task && s_layout.Value is { } layout)
        {
            return AwaiterOf(layout.ContinuationOfTask(task)) ?? $"{type.Name} (nobody awaiting)";
        }

        // A continuation that must run on a synchronization context or scheduler wraps the resumption in m_action.
        if (type.GetField("m_action", Instance)?.GetValue(continuation) is Delegate wrapped)
        {
            return AwaiterOf(wrapped);
        }

        return type.FullName;
    }

    private static string StateMachineName(Type machine)
    {
        // "<TimerLoopAsync>d__7" declared in LeakyTaskLeak: LeakyTaskLeak.TimerLoopAsync.
        string name = machine.Name;
        string method = name.StartsWith('<') && name.IndexOf('>', StringComparison.Ordinal) is > 1 and var end ? name[1..end] : name;
        return $"{machine.DeclaringType?.FullName ?? "?"}.{method}";
    }

    /// <summary>A callback's type and method; a lambda is named by the type that wrote it ("SafeTicker.(lambda)").</summary>
    private static string MethodName(Delegate callback)
    {
        var declaring = callback.Method.DeclaringType;
        bool generated = callback.Method.Name.StartsWith('<') || (declaring?.Name.StartsWith('<') ?? false);
        while (declaring is { DeclaringType: not null } && declaring.Name.StartsWith('<'))
        {
            declaring = declaring.DeclaringType;
        }

        string method = generated ? "(lambda)" : callback.Method.Name;
        string target = callback.Target is { } on && !on.GetType().Name.StartsWith('<') && on.GetType() != declaring ? $" (on {on.GetType().FullName})" : "";
        return $"{declaring?.FullName ?? "?"}.{method}{target}";
    }

    /// <summary>The private fields the dump reads, found once; null when any is missing.</summary>
    private sealed class Layout
    {
        private const DynamicallyAccessedMemberTypes Members = DynamicallyAccessedMemberTypes.PublicFields | DynamicallyAccessedMemberTypes.NonPublicFields
            | DynamicallyAccessedMemberTypes.PublicProperties | DynamicallyAccessedMemberTypes.NonPublicProperties;

        private readonly PropertyInfo _instances;
        private readonly PropertyInfo _sharedLock;
        private readonly FieldInfo _short;
        private readonly FieldInfo _long;
        private readonly FieldInfo _next;
        private readonly FieldInfo _period;
        private readonly FieldInfo _callback;
        private readonly FieldInfo _state;
        private readonly FieldInfo _periodicCore;
        private readonly FieldInfo _coreContinuationState;
        private readonly FieldInfo _taskContinuation;
        private readonly FieldInfo _elapsed;
        private readonly Type _delayPromise;

        private Layout([DynamicallyAccessedMembers(Members)] Type queue, [DynamicallyAccessedMembers(Members)] Type timer, [DynamicallyAccessedMembers(Members)] Type periodicState, Type delayPromise)
        {
            _instances = queue.GetProperty("Instances", Static) ?? throw new MissingMemberException("TimerQueue.Instances");
            _sharedLock = queue.GetProperty("SharedLock", Instance) ?? throw new MissingMemberException("TimerQueue.SharedLock");
            _short = Field(queue, "_shortTimers");
            _long = Field(queue, "_longTimers");
            _next = Field(timer, "_next");
            _period = Field(timer, "_period");
            _callback = Field(timer, "_timerCallback");
            _state = Field(timer, "_state");
            _periodicCore = Field(periodicState, "_mrvtsc");
            _coreContinuationState = Field(typeof(System.Threading.Tasks.Sources.ManualResetValueTaskSourceCore<bool>), "_continuationState");
            _taskContinuation = Field(typeof(Task), "m_continuationObject");
            _elapsed = Field(typeof(System.Timers.Timer), "_onIntervalElapsed");
            PeriodicTimerState = periodicState;
            _delayPromise = delayPromise;
        }

        public Type PeriodicTimerState { get; }

        public static Layout? Find()
        {
            try
            {
                // Names as literals: the trimmer (and NativeAOT) then keeps these private types and their members.
                return new Layout(
                    Type.GetType("System.Threading.TimerQueue, System.Private.CoreLib") ?? throw new MissingMemberException("TimerQueue"),
                    Type.GetType("System.Threading.TimerQueueTimer, System.Private.CoreLib") ?? throw new MissingMemberException("TimerQueueTimer"),
                    Type.GetType("System.Threading.PeriodicTimer+State, System.Private.CoreLib") ?? throw new MissingMemberException("PeriodicTimer.State"),
                    Type.GetType("System.Threading.Tasks.Task+DelayPromise, System.Private.CoreLib") ?? throw new MissingMemberException("Task.DelayPromise"));
            }
            catch (MissingMemberException)
            {
                return null;
            }
        }

        public IEnumerable<object> Queues() => ((Array)_instances.GetValue(null)!).Cast<object>();

        public Lock LockOf(object queue) => (Lock)_sharedLock.GetValue(queue)!;

        public IEnumerable<object?> Heads(object queue) => [_short.GetValue(queue), _long.GetValue(queue)];

        public object? Next(object timer) => _next.GetValue(timer);

        /// <summary>Milliseconds between ticks; 0 for a one-shot timer (the runtime stores uint.MaxValue).</summary>
        public long PeriodOf(object timer) => _period.GetValue(timer) is uint period && period != uint.MaxValue ? period : 0;

        public Delegate? CallbackOf(object timer) => _callback.GetValue(timer) as Delegate;

        public object? StateOf(object timer) => _state.GetValue(timer);

        public object? ContinuationOfPeriodic(object state) => _coreContinuationState.GetValue(_periodicCore.GetValue(state));

        public bool IsDelayPromise(Task task) => _delayPromise.IsInstanceOfType(task);

        public object? ContinuationOfTask(Task task) => _taskContinuation.GetValue(task);

        public Delegate? ElapsedHandlersOf(System.Timers.Timer timer) => _elapsed.GetValue(timer) as Delegate;

        private static FieldInfo Field([DynamicallyAccessedMembers(Members)] Type type, string name) => type.GetField(name, Instance) ?? throw new MissingMemberException($"{type.Name}.{name}");
    }
}
