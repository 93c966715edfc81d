using System.Text.RegularExpressions;

namespace Hydra.Evaluator.Inputs;

/// <summary>
/// What a jobset input's name and value must look like, shared by the jobset API and declarative
/// specs so both accept exactly the same jobsets.
/// </summary>
public static partial class InputValueRules
{
    /// <summary>The problem with <paramref name="value"/> for an input of <paramref name="type"/>, phrased to follow
    /// "a {type} input ...", or null when it is fine.</summary>
    public static string? Check(string type, string value) => type switch
    {
        "boolean" when value.Trim() is not ("true" or "false") => "must be 'true' or 'false'",
        "git" or "path" or "nix" when string.IsNullOrWhiteSpace(value) =>
            $"needs a value ({(type == "nix" ? "a Nix expression" : "a URL or path")})",
        "build" when !IsJobReference(value, 3) => $"must be 'project:jobset:job', not '{value}'",
        "eval" when !IsJobReference(value, 2) => $"must be 'project:jobset', not '{value}'",
        Forges.PullRequestSource.InputType => Forges.PullRequestSource.Problem(value),
        _ => null,
    };

    public static bool IsValidInputName(string name) => InputNamePattern().IsMatch(name);

    public static bool IsValidJobsetName(string name) => JobsetNamePattern().IsMatch(name);

    private static bool IsJobReference(string value, int parts)
    {
        var split = value.Trim().Split(':');
        return split.Length == parts && split.All(IsValidJobsetName);
    }

    [GeneratedRegex("^[A-Za-z_][A-Za-z0-9_-]*$")]
    private static partial Regex InputNamePattern();

    [GeneratedRegex("^[A-Za-z_][A-Za-z0-9_.-]*$")]
    private static partial Regex JobsetNamePattern();
}
