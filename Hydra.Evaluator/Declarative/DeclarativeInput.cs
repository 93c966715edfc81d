namespace Hydra.Evaluator.Declarative;

/// <summary>
/// Where a declarative project keeps its spec: <see cref="File"/> inside the input of type
/// <see cref="Type"/> with value <see cref="Value"/> (Hydra's declfile/decltype/declvalue).
/// </summary>
public sealed record DeclarativeInput(string File, string Type, string Value)
{
    /// <summary>Input types a spec can be read from. Only git so far.</summary>
    public static readonly IReadOnlyList<string> Types = ["git"];

    /// <summary>Null when the input can be used, otherwise a message for a 400 response.</summary>
    public string? Validate()
    {
        if (!Types.Contains(Type))
        {
            return $"declarative.type '{Type}' is not supported; it must be one of: {string.Join(", ", Types)}.";
        }
        if (!DeclarativeSpecParser.IsRelativePath(File))
        {
            return $"declarative.file '{File}' must be a relative path inside the input, without '..'.";
        }
        if (string.IsNullOrWhiteSpace(Value))
        {
            return "declarative.value needs the input's value, e.g. \"https://example.org/repo.git main\".";
        }
        return null;
    }
}
