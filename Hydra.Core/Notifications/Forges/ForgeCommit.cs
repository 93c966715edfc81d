using Hydra.Core.Git;

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
        // A forge's repository has an owner: "owner/name" at least.
        var url = RepositoryUrl.Parse(input.Uri);
        var repository = delivery.Sink.Get("repo") ?? (url?.Path.Contains('/', StringComparison.Ordinal) == true ? url.Path : null);
        if (repository is null)
        {
            reason = $"Input '{inputName}' has no repository URL to name the repository; set 'repo'.";
            return null;
        }
        reason = "";
        return new ForgeCommit(repository, sha, url?.Origin);
    }
}
