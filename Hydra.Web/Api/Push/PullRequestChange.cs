namespace Hydra.Web.Api.Push;

/// <summary>A pull request (GitLab: merge request) as a webhook reports it.</summary>
internal sealed record PullRequestChange(int Number, string HeadSha, string Title, bool Open);
