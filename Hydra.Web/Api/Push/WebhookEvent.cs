namespace Hydra.Web.Api.Push;

/// <summary>What a forge's webhook payload says, in the terms the farm acts on.</summary>
/// <param name="Kind">Push, pull request, or something this server does not act on.</param>
/// <param name="RepositoryUrls">Every URL the forge gives for the repository (https, ssh, web).</param>
/// <param name="Repository">The repository's path on the forge (<c>owner/repo</c>, GitLab <c>group/project</c>).</param>
/// <param name="PullRequest">For <see cref="WebhookEventKind.PullRequest"/>: the pull request's state.</param>
internal sealed record WebhookEvent(WebhookEventKind Kind, IReadOnlyList<string> RepositoryUrls, string Repository, PullRequestChange? PullRequest)
{
    public static readonly WebhookEvent Ignored = new(WebhookEventKind.Ignored, [], "", null);
}
