using System.Text.RegularExpressions;

namespace Hydra.Web.Pages.Shared;

/// <summary>
/// Links from an input's revision to the commit on its forge: GitHub, GitLab, Gitea/Forgejo and sourcehut all
/// serve <c>&lt;repository&gt;/commit/&lt;revision&gt;</c>. Only for git inputs over http(s), and only for a
/// revision that is a hex commit id, so nothing from an input's value reaches an href unchecked.
/// </summary>
public static partial class CommitLinks
{
    public static string? For(string type, string? uri, string revision)
    {
        if (type != "git" || uri is null || !Hex().IsMatch(revision))
        {
            return null;
        }
        // A git input's value may carry the branch after the URL ("https://... main").
        var url = uri.Split(' ', 2)[0];
        if (!Uri.TryCreate(url, UriKind.Absolute, out var parsed) || parsed.Scheme is not ("https" or "http") || !string.IsNullOrEmpty(parsed.UserInfo))
        {
            return null;
        }
        var path = parsed.AbsolutePath.TrimEnd('/');
        if (path.EndsWith(".git", StringComparison.Ordinal))
        {
            path = path[..^4];
        }
        return path.Length <= 1 ? null : $"{parsed.Scheme}://{parsed.Authority}{path}/commit/{revision}";
    }

    [GeneratedRegex("^[0-9a-f]{7,64}$")]
    private static partial Regex Hex();
}
