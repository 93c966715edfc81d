using System.Text.Json;
using System.Text.RegularExpressions;

namespace Hydra.Web.Pages.Jobsets;

/// <summary>
/// The jobset editor's field rules, one table for both sides: the server checks a posted form with them, and the page
/// hands the same table to <c>wwwroot/js/jobset-form.js</c> (the form's <c>data-rules</c>), which checks as one types.
/// So the messages are the same by construction, and the patterns are written in the part of regex syntax .NET and
/// JavaScript read alike. The API's own checks (<c>JobsetRequest</c>) still run after these and have the last word.
/// </summary>
public static class JobsetFormRules
{
    /// <summary>One rule: the message for an empty field (null: may be empty), and a pattern a non-empty value must match.</summary>
    public sealed record Rule(string? Required, string? Pattern, string? Message);

    // A git branch name as `git check-ref-format --branch` takes it, simplified: no whitespace or ~ ^ : ? * [ \,
    // no "..", "//", "@{" or "/.", not starting with '-', not ending with '/', '.' or ".lock".
    private const string Branch = @"(?!-)(?!\S*(?:\.\.|//|@\{|/\.))(?!\S*(?:[/.]|\.lock)(?:\s|$))[^\s~^:?*\[\\]+";

    private const string JobsetName = "[A-Za-z_][A-Za-z0-9_.-]*";

    public static readonly IReadOnlyDictionary<string, Rule> Rules = new Dictionary<string, Rule>
    {
        ["name"] = new("Give the jobset a name.", $"^{JobsetName}$",
            "A jobset name starts with a letter or '_' and has only letters, digits, '_', '.' and '-'."),
        ["input-name"] = new("Give the input a name, e.g. src.", "^[A-Za-z_][A-Za-z0-9_-]*$",
            "An input name starts with a letter or '_' and has only letters, digits, '_' and '-'."),
        ["value-git"] = new("A git input needs the repository URL, optionally followed by a branch.",
            $@"^\s*\S+(?:\s+(?:branch=)?{Branch}(?:\s+\S+)*)?\s*$",
            "The branch after the URL is not a valid git branch name: no spaces, '..', '~', '^', ':', '?', '*', '[' or '\\', not starting with '-', not ending with '/', '.' or '.lock'."),
        ["value-path"] = new("A path input needs a URL or a path.", null, null),
        ["value-nix"] = new("A nix input needs a Nix expression.", null, null),
        ["value-boolean"] = new("A boolean input is 'true' or 'false'.", @"^\s*(?:true|false)\s*$", "A boolean input is 'true' or 'false'."),
        ["value-build"] = new("A build input names a job: project:jobset:job.", $@"^\s*{JobsetName}:{JobsetName}:{JobsetName}\s*$",
            "A build input names a job: project:jobset:job."),
        ["value-eval"] = new("An eval input names a jobset: project:jobset.", $@"^\s*{JobsetName}:{JobsetName}\s*$",
            "An eval input names a jobset: project:jobset."),
        ["nixexprinput"] = new("Name the input that holds the Nix expression, e.g. src.", null, null),
        ["nixexprpath"] = new("Give the path of the Nix expression in that input, e.g. release.nix.", @"^(?!/)(?!(?:.*/)?\.\.(?:/|$)).+$",
            "The path is relative to the input (no leading '/') and has no '..'."),
        ["flake"] = new("A flake jobset needs a flake URL, e.g. github:owner/repo.", null, null),
        ["checkinterval"] = new("Give a check interval in seconds (0: only when triggered).", @"^\d+$",
            "The check interval is a whole number of seconds, 0 or more."),
        ["schedulingshares"] = new("Give the scheduling shares (100 is the usual).", "^[1-9][0-9]*$", "Scheduling shares are a whole number above 0."),
        ["keepnr"] = new("Give how many evaluations to keep (0: none).", @"^\d+$", "The number of evaluations to keep is a whole number, 0 or more."),
    };

    /// <summary>The table as the script reads it.</summary>
    public static string Json { get; } = JsonSerializer.Serialize(Rules, JsonSerializerOptions.Web);

    /// <summary>The problem with <paramref name="value"/> under rule <paramref name="rule"/>, or null when it is fine.</summary>
    public static string? Check(string rule, string? value)
    {
        if (!Rules.TryGetValue(rule, out var r))
        {
            return null;
        }
        if (string.IsNullOrWhiteSpace(value))
        {
            return r.Required;
        }
        return r.Pattern is not null && !Regex.IsMatch(value, r.Pattern, RegexOptions.None, TimeSpan.FromSeconds(1)) ? r.Message : null;
    }
}
