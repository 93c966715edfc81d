using System.Text.RegularExpressions;

namespace Hydra.Evaluator.Forges;

/// <summary>
/// The value of a <c>pullrequests</c> jobset input: <c>FORGE OWNER/REPO [INPUT]</c>, e.g.
/// <c>github NixOS/nix src</c>. FORGE is <c>github</c>, <c>gitea</c> or <c>gitlab</c>; OWNER/REPO is the
/// repository on that forge (GitLab allows groups: <c>group/sub/project</c>); INPUT is the git input each
/// pull-request jobset points at the pull request's head (default: the Nix expression input; flake
/// jobsets rewrite their flake URL instead).
/// </summary>
public sealed partial record PullRequestSource(string Forge, string Repository, string? Input)
{
    /// <summary>The jobset input type that makes a jobset follow pull requests.</summary>
    public const string InputType = "pullrequests";

    public static readonly IReadOnlyList<string> Forges = ["github", "gitea", "gitlab"];

    /// <summary>The ref that holds pull request <paramref name="number"/>'s head in the repository.</summary>
    public string HeadRef(int number) => Forge == "gitlab" ? $"refs/merge-requests/{number}/head" : $"refs/pull/{number}/head";

    /// <summary>Whether this follows <paramref name="repository"/> on <paramref name="forge"/> (forges compare names case-insensitively).</summary>
    public bool Follows(string forge, string repository) =>
        Forge == forge && string.Equals(Repository, repository.Trim('/'), StringComparison.OrdinalIgnoreCase);

    public static PullRequestSource? TryParse(string value) => Problem(value) is null ? Parse(value) : null;

    /// <summary>What is wrong with <paramref name="value"/>, phrased to follow "its value", or null when it is fine.</summary>
    public static string? Problem(string value)
    {
        var parts = Split(value);
        if (parts.Length is < 2 or > 3 || !Forges.Contains(parts[0]))
        {
            return $"must be 'FORGE OWNER/REPO [INPUT]' with FORGE one of {string.Join(", ", Forges)}, not '{value}'";
        }
        var segments = parts[1].Split('/');
        var wanted = parts[0] == "gitlab" ? segments.Length >= 2 : segments.Length == 2;
        if (!wanted || !segments.All(s => SegmentPattern().IsMatch(s) && s is not ("." or "..")))
        {
            return $"names the repository '{parts[1]}'; give it as OWNER/REPO";
        }
        return null;
    }

    private static PullRequestSource Parse(string value)
    {
        var parts = Split(value);
        return new PullRequestSource(parts[0], parts[1], parts.Length > 2 ? parts[2] : null);
    }

    private static string[] Split(string value) => value.Split(' ', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    [GeneratedRegex("^[A-Za-z0-9_.-]+$")]
    private static partial Regex SegmentPattern();
}
