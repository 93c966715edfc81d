namespace Hydra.Core.Notifications.Forges;

/// <summary>The repository and commit a forge status is about.</summary>
/// <param name="Repository">"owner/name" (GitLab: the project's full path, groups included).</param>
/// <param name="Host">The input URL's scheme and host, e.g. "https://gitea.example.org", when it had one.</param>
public sealed record ForgeCommit(string Repository, string Sha, string? Host)
{
    /// <summary>
    /// The commit of the sink's <c>input</c> (default: the jobset's expression input) in the event's evaluation,
    /// in the repository named by <c>repo</c> or else by the input's URL. Null with the reason when there is none.
    /// </summary>
    public static ForgeCommit? Resolve(DeliveryContext delivery, out string reason)
    {
        var inputName = delivery.Sink.Get("input") ?? delivery.NixExprInput;
        var input = delivery.Inputs.FirstOrDefault(i => i.Name == inputName);
        if (input?.Revision is not { Length: > 0 } sha)
        {
            reason = delivery.EvaluationId is null
                ? "The event belongs to no evaluation yet."
                : $"Input '{inputName}' of evaluation {delivery.EvaluationId} has no revision.";
            return null;
        }
        var (host, path) = Parse(input.Uri);
        var repository = delivery.Sink.Get("repo") ?? path;
        if (repository is null)
        {
            reason = $"Input '{inputName}' has no repository URL to name the repository; set 'repo'.";
            return null;
        }
        reason = "";
        return new ForgeCommit(repository, sha, host);
    }

    private static readonly (string Scheme, string Web)[] FlakeForges = [("github:", "https://github.com"), ("gitlab:", "https://gitlab.com")];

    /// <summary>
    /// Splits a git URL into its web host and repository path: <c>https://host/owner/repo.git</c>,
    /// <c>git@host:owner/repo.git</c>, <c>ssh://git@host/owner/repo</c>, and a <c>git+</c> prefix or <c>?ref=</c>
    /// suffix as in flake URLs, and the <c>github:</c> and <c>gitlab:</c> flake references.
    /// </summary>
    public static (string? Host, string? Path) Parse(string? url)
    {
        if (string.IsNullOrWhiteSpace(url))
        {
            return (null, null);
        }
        var text = url.Trim();
        if (text.StartsWith("git+", StringComparison.Ordinal))
        {
            text = text[4..];
        }
        text = text.Split(['?', '#'], 2)[0];
        // Flake references: github:owner/repo[/rev], gitlab:group/project[/rev].
        foreach (var (scheme, web) in FlakeForges)
        {
            if (text.StartsWith(scheme, StringComparison.Ordinal))
            {
                var parts = text[scheme.Length..].Split('/');
                return parts.Length >= 2 ? (web, $"{parts[0]}/{parts[1]}") : (web, null);
            }
        }
        string host;
        string path;
        if (Uri.TryCreate(text, UriKind.Absolute, out var uri) && uri.Host.Length > 0)
        {
            var scheme = uri.Scheme is "http" or "https" ? uri.Scheme : "https";
            host = $"{scheme}://{uri.Host}" + (uri.IsDefaultPort || uri.Scheme != scheme ? "" : $":{uri.Port}");
            path = uri.AbsolutePath;
        }
        else if (text.IndexOf(':') is var colon and > 0 && text[..colon].Contains('@', StringComparison.Ordinal))
        {
            host = "https://" + text[(text.IndexOf('@') + 1)..colon];
            path = text[(colon + 1)..];
        }
        else
        {
            return (null, null);
        }
        path = path.Trim('/');
        if (path.EndsWith(".git", StringComparison.Ordinal))
        {
            path = path[..^4];
        }
        return path.Contains('/', StringComparison.Ordinal) ? (host, path) : (host, null);
    }
}
