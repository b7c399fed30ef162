using LeakOperator.Leaks;
using LeakOperator.Leaks.Injections;
using LeakOperator.Leaks.Tasks.Patterns;
using LeakOperator.Operator;
using LeakOperator.Operator.Api;

namespace LeakOperator.Tests;

/// <summary>
/// What a LeakTest's spec becomes: the defaults of its leak type where a field is left out, the user's values where
/// given, and for a spec the CRD schema lets through but that cannot run, the reason the InvalidSpec condition shows.
/// </summary>
public sealed class SpecTranslationTests
{
    [Fact]
    public void A_bare_spec_takes_its_leak_types_defaults_and_is_leaky()
    {
        var (spec, problem) = SpecTranslation.Translate(new LeakTestSpec { LeakType = "http-conn" });

        Assert.Null(problem);
        Assert.Equal(InjectionSpec.Default(LeakType.HttpConn, LeakMode.Leaky) with { Duration = TimeSpan.FromSeconds(300) }, spec);
    }

    [Fact]
    public void Given_fields_replace_the_defaults()
    {
        var (spec, problem) = SpecTranslation.Translate(new LeakTestSpec
        {
            LeakType = "task",
            Mode = "safe",
            DurationSeconds = 60,
            RatePerSecond = 7.5,
            MaxUnits = 40,
            TickIntervalMilliseconds = 250,
            Task = new LeakTestTaskSpec { Pattern = "lost-stop" },
        });

        Assert.Null(problem);
        Assert.Equal(new InjectionSpec(LeakType.Task, LeakMode.Safe, 7.5, TimeSpan.FromMinutes(1), 40, TimeSpan.FromMilliseconds(250), TaskPattern.LostStop), spec);
    }

    [Theory]
    [InlineData("disk", null, null, null, "UnknownLeakType", "spec.leakType 'disk' is not one of memory, task, http-conn")]
    [InlineData("memory", "careless", null, null, "UnknownMode", "spec.mode 'careless' is not one of leaky, safe")]
    [InlineData("memory", null, 100, null, "TickIntervalNotApplicable", "applies only to leakType task, not memory")]
    [InlineData("http-conn", null, null, "lost-stop", "TaskSettingsNotApplicable", "spec.task applies only to leakType task, not http-conn")]
    [InlineData("task", null, null, "forgotten", "UnknownTaskPattern", "'forgotten' is not one of unstopped, lost-stop,")]
    [InlineData("task", null, 5, null, "OutOfRange", "tick interval must be between 10 and 3600000 milliseconds, got 5")]
    public void A_spec_that_cannot_run_says_why(string leakType, string? mode, int? tickMs, string? pattern, string reason, string inMessage)
    {
        var (spec, problem) = SpecTranslation.Translate(new LeakTestSpec
        {
            LeakType = leakType,
            Mode = mode,
            TickIntervalMilliseconds = tickMs,
            Task = pattern is null ? null : new LeakTestTaskSpec { Pattern = pattern },
        });

        Assert.Null(spec);
        Assert.NotNull(problem);
        Assert.Equal(reason, problem.Reason);
        Assert.Contains(inMessage, problem.Message, StringComparison.Ordinal);
    }
}
