namespace Hydra.Web.Auth;

/// <summary>Who may see what: <c>Hydra:Access</c> (environment <c>Hydra__Access__Private=true</c>, ...).</summary>
public sealed class AccessOptions
{
    public const string Section = "Hydra:Access";

    /// <summary>
    /// Hydra's <c>private = 1</c>: every page and API call needs a signed-in user, except signing in,
    /// webhooks (<c>/api/push</c>, <c>/api/webhook*</c>), the binary cache and the worker protocol.
    /// </summary>
    public bool Private { get; set; }

    /// <summary>GitHub OAuth app's client id; GitHub sign-in is offered when this and the secret are set.</summary>
    public string? GitHubClientId { get; set; }

    /// <summary>GitHub OAuth app's client secret.</summary>
    public string? GitHubClientSecret { get; set; }

    /// <summary>Where GitHub lives (tests point these at a fake server).</summary>
    public string GitHubAuthorizeUrl { get; set; } = "https://github.com/login/oauth/authorize";

    public string GitHubTokenUrl { get; set; } = "https://github.com/login/oauth/access_token";

    public string GitHubApiUrl { get; set; } = "https://api.github.com";

    public bool GitHubEnabled => !string.IsNullOrEmpty(GitHubClientId) && !string.IsNullOrEmpty(GitHubClientSecret);
}
