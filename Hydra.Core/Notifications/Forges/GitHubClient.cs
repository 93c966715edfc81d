using System.Net.Http.Headers;
using Hydra.Core.Notifications.Sinks;

namespace Hydra.Core.Notifications.Forges;

/// <summary>
/// The two GitHub REST endpoints the farm posts to, over <see cref="HttpClient"/> (Octokit is not restorable
/// here): commit statuses and check runs. Answers are classified by <see cref="HttpDelivery"/>, which turns
/// GitHub's rate limits (403/429 with <c>Retry-After</c> or an exhausted <c>X-RateLimit-Reset</c>) into a
/// retry at the reset time.
/// </summary>
public sealed class GitHubClient(HttpClient http, string apiUrl, string token, TimeProvider clock)
{
    public const string DefaultApiUrl = "https://api.github.com";

    /// <summary><c>POST /repos/{owner}/{repo}/statuses/{sha}</c>.</summary>
    public Task<DeliveryResult> CreateStatusAsync(ForgeCommit commit, ForgeStatus status, CancellationToken cancellationToken) =>
        SendAsync($"repos/{commit.Repository}/statuses/{commit.Sha}", new
        {
            state = status.State switch
            {
                CommitState.Pending or CommitState.Running => "pending",
                CommitState.Success => "success",
                CommitState.Failure => "failure",
                _ => "error",
            },
            target_url = status.TargetUrl,
            description = status.Description,
            context = status.Context,
        }, cancellationToken);

    /// <summary><c>POST /repos/{owner}/{repo}/check-runs</c>: a completed check run with a summary in Markdown.</summary>
    public Task<DeliveryResult> CreateCheckRunAsync(ForgeCommit commit, CheckRun run, CancellationToken cancellationToken) =>
        SendAsync($"repos/{commit.Repository}/check-runs", new
        {
            name = run.Name,
            head_sha = commit.Sha,
            status = "completed",
            conclusion = run.Succeeded ? "success" : "failure",
            details_url = run.DetailsUrl,
            external_id = run.ExternalId,
            output = new { title = run.Title, summary = run.Summary },
        }, cancellationToken);

    private Task<DeliveryResult> SendAsync(string path, object body, CancellationToken cancellationToken) =>
        HttpDelivery.SendJsonAsync(http, HttpMethod.Post, $"{apiUrl.TrimEnd('/')}/{path}", body, headers =>
        {
            headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
            headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/vnd.github+json"));
            headers.Add("X-GitHub-Api-Version", "2022-11-28");
        }, clock, cancellationToken);
}

/// <summary>A GitHub check run for one evaluation.</summary>
public sealed record CheckRun(string Name, bool Succeeded, string Title, string Summary, string DetailsUrl, string ExternalId);
