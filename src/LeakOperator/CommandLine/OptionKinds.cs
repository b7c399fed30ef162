using System.CommandLine;
using System.CommandLine.Parsing;
using System.Globalization;

namespace LeakOperator.CommandLine;

/// <summary>
/// The kinds of option LeakOperator's commands take. Each factory gives System.CommandLine one declaration: the parser,
/// the default, the message that says what to fix, the help text and the completions. `--name value` and
/// `--name=value` are both System.CommandLine's own.
/// </summary>
internal static class OptionKinds
{
    /// <summary>A whole number in [<paramref name="min"/>, <paramref name="max"/>].</summary>
    public static Option<int> WholeNumber(string name, string description, int fallback, int min, int max) => new(name)
    {
        Description = description,
        HelpName = "N",
        DefaultValueFactory = _ => fallback,
        CustomParser = result =>
        {
            string text = result.Tokens.Single().Value;
            if (int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out int value) && value >= min && value <= max)
            {
                return value;
            }

            result.AddError($"{name} must be a whole number from {min} to {max}; got '{text}'");
            return fallback;
        },
    };

    /// <summary>true or false; the bare option means true (as Go's flag package and kubebuilder's --leader-elect).</summary>
    public static Option<bool> TrueOrFalse(string name, string description, bool fallback) => new(name)
    {
        Description = description + $" [default: {(fallback ? "true" : "false")}]",
        HelpName = "true|false",
        Arity = ArgumentArity.ZeroOrOne,
        DefaultValueFactory = _ => fallback,
        CustomParser = result =>
        {
            if (result.Tokens.Count == 0)
            {
                return true;
            }

            string text = result.Tokens[0].Value;
            if (bool.TryParse(text, out bool value))
            {
                return value;
            }

            result.AddError($"{name} must be true or false; got '{text}'");
            return fallback;
        },
    };

    /// <summary>
    /// One of the names of <paramref name="table"/> (the wire names users write). No default value is declared, so the help
    /// shows <paramref name="fallbackName"/> rather than the value's type; callers read it with a fallback.
    /// </summary>
    public static Option<T> OneOf<T>(string name, string description, IReadOnlyDictionary<string, T> table, string fallbackName, string? helpName = null)
    {
        string names = string.Join(", ", table.Keys);
        var option = new Option<T>(name)
        {
            Description = helpName is null ? $"{description} [default: {fallbackName}]" : $"{description}; one of {names} [default: {fallbackName}]",
            HelpName = helpName ?? string.Join('|', table.Keys),
            CustomParser = result =>
            {
                string text = result.Tokens.Single().Value;
                if (table.TryGetValue(text, out var value))
                {
                    return value;
                }

                result.AddError($"{name} must be one of {names}; got '{text}'");
                return default;
            },
        };
        option.CompletionSources.Add(table.Keys.ToArray());
        return option;
    }

    /// <summary>Free text (a name, a path), null when not given.</summary>
    public static Option<string?> Text(string name, string description, string helpName) => new(name)
    {
        Description = description,
        HelpName = helpName,
    };

    /// <summary>
    /// The name of a Kubernetes object this command creates (a DNS-1123 subdomain, as the API server requires), so a bad
    /// one is refused before the first request rather than by the API server on every retry.
    /// </summary>
    public static Option<string> ObjectName(string name, string description, string fallback) => new(name)
    {
        Description = description,
        HelpName = "NAME",
        DefaultValueFactory = _ => fallback,
        CustomParser = result =>
        {
            string text = result.Tokens.Single().Value;
            if (KubernetesNames.IsSubdomain(text))
            {
                return text;
            }

            result.AddError($"{name} must be a lowercase DNS name (a-z, 0-9, '-' and '.', starting and ending with a letter or digit, "
                + $"at most {KubernetesNames.MaxSubdomainLength} characters); got '{text}'");
            return fallback;
        },
    };

    /// <summary>A file to write a report to: checked before any work starts, so a long run never ends in a lost report.</summary>
    public static Option<string?> ReportPath(string name, string description)
    {
        var option = Text(name, description, "PATH");
        option.Validators.Add(result =>
        {
            if (result.GetValueOrDefault<string?>() is { } path && ReportFile.Problem(path) is { } problem)
            {
                result.AddError($"{name} {path}: {problem}");
            }
        });
        return option;
    }

    /// <summary>Where the option stands: its value, or its default when the user did not give it.</summary>
    public static T Value<T>(this ParseResult parse, Option<T> option) => parse.GetValue(option)!;
}
