namespace Hydra.Web.Api.Push;

/// <summary>
/// Reduces the many ways to write a repository's URL to one key, <c>host/path</c> in lower case:
/// <c>https://github.com/o/r.git</c>, <c>ssh://git@github.com:22/o/r</c>, <c>git@github.com:o/r.git</c>,
/// <c>git+https://github.com/o/r?ref=main</c> and the flake shorthand <c>github:o/r/main</c> all give <c>github.com/o/r</c>.
/// </summary>
internal static class RepositoryUrl
{
    public static string? Key(string url)
    {
        url = url.Trim();
        if (url.StartsWith("git+", StringComparison.OrdinalIgnoreCase))
        {
            url = url[4..];
        }
        foreach (var (scheme, host) in new[] { ("github:", "github.com"), ("gitlab:", "gitlab.com") })
        {
            if (url.StartsWith(scheme, StringComparison.OrdinalIgnoreCase))
            {
                // Flake shorthand: owner/repo[/ref][?query].
                var parts = Cut(url[scheme.Length..]).Split('/', StringSplitOptions.RemoveEmptyEntries);
                return parts.Length >= 2 ? $"{host}/{parts[0]}/{Bare(parts[1])}".ToLowerInvariant() : null;
            }
        }
        string hostName, path;
        if (url.Contains("://", StringComparison.Ordinal))
        {
            if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || uri.Host.Length == 0)
            {
                return null;
            }
            (hostName, path) = (uri.Host, Uri.UnescapeDataString(uri.AbsolutePath));
        }
        else if (url.IndexOf(':', StringComparison.Ordinal) is var colon and > 0 && !url[..colon].Contains('/', StringComparison.Ordinal))
        {
            // scp-like: [user@]host:path
            var at = url.LastIndexOf('@', colon);
            (hostName, path) = (url[(at + 1)..colon], Cut(url[(colon + 1)..]));
        }
        else
        {
            return null;
        }
        path = Bare(path.Trim('/'));
        return hostName.Length == 0 || path.Length == 0 ? null : $"{hostName}/{path}".ToLowerInvariant();
    }

    /// <summary>The repository path to look for in stored URLs with LIKE, wildcards escaped.</summary>
    public static string LikePattern(string key)
    {
        var path = key[(key.IndexOf('/', StringComparison.Ordinal) + 1)..];
        return "%" + path.Replace(@"\", @"\\", StringComparison.Ordinal).Replace("%", @"\%", StringComparison.Ordinal).Replace("_", @"\_", StringComparison.Ordinal) + "%";
    }

    private static string Cut(string value) => value.Split('?', '#')[0];

    private static string Bare(string path) =>
        (path.EndsWith(".git", StringComparison.OrdinalIgnoreCase) ? path[..^4] : path).TrimEnd('/');
}
