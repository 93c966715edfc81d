namespace Hydra.Evaluator.Forges;

/// <summary>An open pull request (GitLab: merge request) as the forge reports it: its number, head commit and title.</summary>
public sealed record OpenPullRequest(int Number, string HeadSha, string Title);
