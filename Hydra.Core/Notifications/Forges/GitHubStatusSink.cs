using System.Text;

namespace Hydra.Core.Notifications.Forges;

/// <summary>
/// GitHub (<c>settings.token</c>, <c>apiUrl</c>, <c>repo</c>, <c>input</c>, <c>context</c>, <c>checkRuns</c>):
/// a commit status per build event, and when every build of an evaluation has finished one check run with a
/// table of the failing jobs.
/// </summary>
public sealed class GitHubStatusSink(IHttpClientFactory httpClients, TimeProvider clock) : ForgeStatusSink
{
    /// <summary>Rows of failing jobs in a check run's summary; the rest are counted.</summary>
    public const int MaxSummaryRows = 50;

    public override string Kind => NotificationSinkKinds.GitHub;

    public override async Task<DeliveryResult> DeliverAsync(DeliveryContext delivery, CancellationToken cancellationToken)
    {
        if (delivery.Event.Kind != NotificationEventKinds.EvaluationCompleted)
        {
            return await base.DeliverAsync(delivery, cancellationToken);
        }
        if (!delivery.Sink.GetBool("checkRuns", true))
        {
            return DeliveryResult.Skipped("Check runs are off for this sink.");
        }
        if (delivery.Sink.Get("token") is not { } token)
        {
            return DeliveryResult.Fatal("The github sink has no token.");
        }
        if (ForgeCommit.Resolve(delivery, out var reason) is not { } commit)
        {
            return DeliveryResult.Skipped(reason);
        }
        return ApiUrl(delivery, commit) is { } apiUrl
            ? await Client(apiUrl, token).CreateCheckRunAsync(commit, CheckRunFor(delivery), cancellationToken)
            : NoApiUrl();
    }

    /// <summary>GitHub's API is at one address unless the sink names another (GitHub Enterprise).</summary>
    protected override string? DefaultApiUrl(ForgeCommit commit) => GitHubClient.DefaultApiUrl;

    protected override Task<DeliveryResult> PostStatusAsync(string apiUrl, string token, ForgeCommit commit, ForgeStatus status, CancellationToken cancellationToken) =>
        Client(apiUrl, token).CreateStatusAsync(commit, status, cancellationToken);

    /// <summary>The check run of a finished evaluation: its name is the sink's context, its summary a table of failures.</summary>
    public static CheckRun CheckRunFor(DeliveryContext delivery)
    {
        var failing = delivery.Jobs.Where(j => j.Status is not BuildStatus.Succeeded).ToList();
        var summary = new StringBuilder();
        summary.Append($"Evaluation [{delivery.EvaluationId}]({delivery.EvaluationUrl}) of `{delivery.Project}:{delivery.Jobset}`: ")
            .Append($"{delivery.Jobs.Count - failing.Count} of {delivery.Jobs.Count} builds succeeded.\n");
        if (failing.Count > 0)
        {
            summary.Append("\n| Job | Status | Build |\n| --- | --- | --- |\n");
            foreach (var job in failing.Take(MaxSummaryRows))
            {
                summary.Append($"| `{job.Job.Replace("|", "\\|", StringComparison.Ordinal)}` | {BuildStatus.Describe(job.Status, job.Finished)} | [{job.BuildId}]({delivery.BaseUrl}/build/{job.BuildId}) |\n");
            }
            if (failing.Count > MaxSummaryRows)
            {
                summary.Append($"\n…and {failing.Count - MaxSummaryRows} more failing jobs.\n");
            }
        }
        return new CheckRun(
            delivery.Sink.Get("context") ?? DefaultContext,
            failing.Count == 0,
            failing.Count == 0 ? "All builds succeeded" : $"{failing.Count} failing jobs",
            summary.ToString(),
            delivery.EvaluationUrl ?? delivery.JobsetUrl,
            $"hydra-eval-{delivery.EvaluationId}");
    }

    private GitHubClient Client(string apiUrl, string token) => new(httpClients.CreateClient(NotificationHttp.ClientName), apiUrl, token, clock);
}
