namespace Hydra.Web.Api.Push;

/// <summary>The webhook events the farm acts on.</summary>
internal enum WebhookEventKind
{
    /// <summary>Pings, tags, issues, ...: answered with nothing triggered.</summary>
    Ignored,
    Push,
    PullRequest,
}
