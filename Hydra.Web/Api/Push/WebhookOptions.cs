namespace Hydra.Web.Api.Push;

/// <summary>Forge webhooks (<c>POST /api/push-github</c>, <c>-gitea</c>, <c>-gitlab</c>), bound from <c>Hydra:Webhooks</c>.</summary>
public sealed class WebhookOptions
{
    public const string Section = "Hydra:Webhooks";

    /// <summary><c>Hydra:Webhooks:GitHub:Secret</c>: the secret the GitHub webhook signs with (<c>X-Hub-Signature-256</c>).</summary>
    public WebhookSecretOptions GitHub { get; set; } = new();

    /// <summary><c>Hydra:Webhooks:Gitea:Secret</c>: the secret the Gitea webhook signs with (<c>X-Gitea-Signature</c>).</summary>
    public WebhookSecretOptions Gitea { get; set; } = new();

    /// <summary><c>Hydra:Webhooks:GitLab:Secret</c>: the token the GitLab webhook sends (<c>X-Gitlab-Token</c>).</summary>
    public WebhookSecretOptions GitLab { get; set; } = new();

    /// <summary>Largest body accepted, in bytes; GitHub caps its payloads at 25 MB.</summary>
    public long MaxBodyBytes { get; set; } = 25 * 1024 * 1024;

    /// <summary>How long a delivery id is remembered, so a replay of it triggers nothing.</summary>
    public TimeSpan DeliveryRetention { get; set; } = TimeSpan.FromDays(7);
}
