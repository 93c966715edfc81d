namespace Hydra.Evaluator.Forges;

/// <summary>A flake URL pointed at a pull request's head ref, for flake jobsets that follow pull requests.</summary>
public static class PullRequestFlake
{
    /// <summary>
    /// <c>github:o/r</c> and <c>gitlab:o/r</c> become <c>git+https://HOST/o/r?ref=REF</c> (those fetchers only
    /// know branches and tags); a <c>git+...</c> URL keeps its transport with its <c>ref</c> replaced and any
    /// <c>rev</c> dropped. Null for a flake that is not in git (a path or tarball).
    /// </summary>
    public static string? WithRef(string flake, string headRef)
    {
        flake = flake.Trim();
        foreach (var (scheme, host) in new[] { ("github:", "github.com"), ("gitlab:", "gitlab.com") })
        {
            if (flake.StartsWith(scheme, StringComparison.Ordinal))
            {
                var path = flake[scheme.Length..].Split('?')[0].Split('/');
                return path.Length >= 2 ? $"git+https://{host}/{path[0]}/{path[1]}?ref={headRef}" : null;
            }
        }
        if (!flake.StartsWith("git+", StringComparison.Ordinal))
        {
            return null;
        }
        var question = flake.IndexOf('?', StringComparison.Ordinal);
        var (url, query) = question < 0 ? (flake, "") : (flake[..question], flake[(question + 1)..]);
        var kept = query.Split('&', StringSplitOptions.RemoveEmptyEntries)
            .Where(p => !p.StartsWith("ref=", StringComparison.Ordinal) && !p.StartsWith("rev=", StringComparison.Ordinal))
            .Append($"ref={headRef}");
        return $"{url}?{string.Join('&', kept)}";
    }
}
