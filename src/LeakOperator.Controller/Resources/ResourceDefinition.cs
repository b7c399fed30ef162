namespace LeakOperator.Controller.Resources;

/// <summary>Where a custom resource lives in the API: group, version, plural, kind.</summary>
public sealed record ResourceDefinition(string Group, string Version, string Plural, string Kind)
{
    public string ApiVersion => $"{Group}/{Version}";

    public override string ToString() => $"{Plural}.{Group}";
}
