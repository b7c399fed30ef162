using System.Text.RegularExpressions;

namespace LeakOperator.CommandLine;

/// <summary>The API server's rule for most object names (apimachinery's IsDNS1123Subdomain), checked on our side.</summary>
internal static partial class KubernetesNames
{
    public const int MaxSubdomainLength = 253;

    /// <summary>Lowercase letters, digits, '-' and '.'; each dot-separated part starts and ends with a letter or digit.</summary>
    public static bool IsSubdomain(string name) => name.Length <= MaxSubdomainLength && Subdomain().IsMatch(name);

    [GeneratedRegex(@"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$", RegexOptions.CultureInvariant)]
    private static partial Regex Subdomain();
}
