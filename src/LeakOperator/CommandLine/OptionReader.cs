using System.Globalization;

namespace LeakOperator.CommandLine;

/// <summary>
/// Reads "--name value" options: every option takes a value, unknown ones are errors, and each typed read says
/// exactly what was wrong. The first problem wins, so the user fixes one thing at a time.
/// </summary>
internal sealed class OptionReader
{
    private readonly Dictionary<string, string> _values = new(StringComparer.Ordinal);

    private OptionReader()
    {
    }

    public string? Error { get; private set; }

    public bool HelpRequested { get; private set; }

    public static OptionReader Read(IReadOnlyList<string> args, IReadOnlyCollection<string> known)
    {
        var reader = new OptionReader();
        for (int i = 0; i < args.Count && reader.Error is null; i++)
        {
            string name = args[i];
            if (name is "-h" or "--help")
            {
                reader.HelpRequested = true;
                return reader;
            }

            if (!name.StartsWith("--", StringComparison.Ordinal))
            {
                reader.Error = $"unexpected argument '{name}'";
            }
            else if (!known.Contains(name))
            {
                reader.Error = $"unknown option {name}";
            }
            else if (i + 1 >= args.Count || args[i + 1].StartsWith("--", StringComparison.Ordinal))
            {
                reader.Error = $"option {name} needs a value";
            }
            else
            {
                reader._values[name] = args[++i];
            }
        }

        return reader;
    }

    public string? Text(string name) => _values.GetValueOrDefault(name);

    public int Int(string name, int fallback, int min, int max)
    {
        if (!_values.TryGetValue(name, out var text))
        {
            return fallback;
        }

        if (int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out int value) && value >= min && value <= max)
        {
            return value;
        }

        Error ??= $"{name} must be a whole number from {min} to {max}; got '{text}'";
        return fallback;
    }

    public bool Bool(string name, bool fallback)
    {
        if (!_values.TryGetValue(name, out var text))
        {
            return fallback;
        }

        if (bool.TryParse(text, out bool value))
        {
            return value;
        }

        Error ??= $"{name} must be true or false; got '{text}'";
        return fallback;
    }

    /// <summary>Records a problem found by the caller (a value that parsed but does not fit).</summary>
    public void Fail(string error) => Error ??= error;
}
