namespace Hydra.Core.Git;

/// <summary>
/// A git repository's URL taken apart into its host and repository path, whichever way it was written:
/// <c>https://host/owner/repo.git</c>, <c>ssh://git@host:22/owner/repo</c>, scp-like <c>git@host:owner/repo</c>
/// (git's rule: no slash before the colon), a <c>git+</c> prefix and <c>?ref=</c> query as in flake URLs, and the
/// flake shorthands <c>github:owner/repo[/ref]</c> and <c>gitlab:owner/repo[/ref]</c>. A trailing slash and a
/// <c>.git</c> suffix are dropped; GitLab's subgroups stay in the path. Webhooks match jobsets by <see cref="Key"/>;
/// forge statuses post to <see cref="Origin"/> about <see cref="Path"/>.
/// </summary>
/// <param name="Host">The host name in lower case, without a port.</param>
/// <param name="Path">The repository path as written, unescaped, without slashes at either end or <c>.git</c>.</param>
/// <param name="Origin">
/// Where the forge's web pages and API are: <c>http</c> or <c>https</c> as the URL said, else <c>https</c>, and the
/// port only when an http(s) URL named one that is not its default (an ssh port says nothing about the web).
/// </param>
public sealed record RepositoryUrl(string Host, string Path, string Origin)
{
    private static readonly (string Scheme, string Host)[] FlakeForges = [("github:", "github.com"), ("gitlab:", "gitlab.com")];

    /// <summary>
    /// <c>host/path</c> in lower case: one key for every way to write the repository (forges compare owner and
    /// repository names without case).
    /// </summary>
    public string Key => $"{Host}/{Path}".ToLowerInvariant();

    /// <summary>The repository <paramref name="url"/> names, or null when it names none (a local path, no host, no path).</summary>
    public static RepositoryUrl? Parse(string? url)
    {
        if (string.IsNullOrWhiteSpace(url))
        {
            return null;
        }
        var text = url.Trim();
        if (text.StartsWith("git+", StringComparison.OrdinalIgnoreCase))
        {
            text = text[4..];
        }
        foreach (var (scheme, host) in FlakeForges)
        {
            if (text.StartsWith(scheme, StringComparison.OrdinalIgnoreCase))
            {
                // owner/repo[/ref][?query]; Nix writes a GitLab subgroup as group%2Fsub.
                var parts = WithoutQuery(text[scheme.Length..]).Split('/', StringSplitOptions.RemoveEmptyEntries);
                return parts.Length >= 2 ? Create(host, "https://" + host, Uri.UnescapeDataString($"{parts[0]}/{parts[1]}")) : null;
            }
        }
        if (text.Contains("://", StringComparison.Ordinal))
        {
            if (!Uri.TryCreate(text, UriKind.Absolute, out var uri))
            {
                return null;
            }
            var web = uri.Scheme is "http" or "https";
            var origin = $"{(web ? uri.Scheme : "https")}://{uri.Host}" + (web && !uri.IsDefaultPort ? $":{uri.Port}" : "");
            return Create(uri.Host, origin, Uri.UnescapeDataString(uri.AbsolutePath));
        }
        if (text.IndexOf(':', StringComparison.Ordinal) is var colon and > 0 && !text[..colon].Contains('/', StringComparison.Ordinal))
        {
            // scp-like: [user@]host:path
            var host = text[(text.LastIndexOf('@', colon) + 1)..colon].ToLowerInvariant();
            return Create(host, "https://" + host, WithoutQuery(text[(colon + 1)..]));
        }
        return null;
    }

    private static RepositoryUrl? Create(string host, string origin, string path)
    {
        path = path.Trim('/');
        if (path.EndsWith(".git", StringComparison.OrdinalIgnoreCase))
        {
            path = path[..^4].TrimEnd('/');
        }
        return host.Length == 0 || path.Length == 0 ? null : new RepositoryUrl(host, path, origin);
    }

    private static string WithoutQuery(string value) => value.Split(['?', '#'], 2)[0];
}
