using System.Text.Json;

namespace Hydra.Web.Api.Push;

/// <summary>How one forge signs, names and shapes its webhook requests.</summary>
internal sealed record WebhookForge(
    string Name,
    string Title,
    string EventHeader,
    string DeliveryHeader,
    Func<WebhookOptions, WebhookSecretOptions> Secret,
    Func<string, byte[], HttpRequest, bool> Verify,
    Func<string?, JsonElement, WebhookEvent?> Read)
{
    public static readonly WebhookForge GitHub = new("github", "GitHub", "X-GitHub-Event", "X-GitHub-Delivery", o => o.GitHub,
        (secret, body, request) => WebhookSignature.HmacMatches(secret, body, request.Headers["X-Hub-Signature-256"], "sha256="),
        WebhookPayloads.ReadGitHubLike);

    public static readonly WebhookForge Gitea = new("gitea", "Gitea", "X-Gitea-Event", "X-Gitea-Delivery", o => o.Gitea,
        (secret, body, request) => WebhookSignature.HmacMatches(secret, body, request.Headers["X-Gitea-Signature"], ""),
        WebhookPayloads.ReadGitHubLike);

    public static readonly WebhookForge GitLab = new("gitlab", "GitLab", "X-Gitlab-Event", "X-Gitlab-Event-UUID", o => o.GitLab,
        (secret, _, request) => WebhookSignature.TokenMatches(secret, request.Headers["X-Gitlab-Token"]),
        WebhookPayloads.ReadGitLab);
}
