using Hydra.Core.Notifications.Sinks;

namespace Hydra.Core.Notifications.Forges;

/// <summary>
/// GitLab commit statuses: <c>POST {apiUrl}/api/v4/projects/{url-encoded path}/statuses/{sha}</c> with
/// <c>PRIVATE-TOKEN</c>. <c>repo</c> may be the project's numeric id or its full path; <c>apiUrl</c> defaults to
/// the input URL's host.
/// </summary>
public sealed class GitLabStatusSink(IHttpClientFactory httpClients, TimeProvider clock) : ForgeStatusSink
{
    public override string Kind => NotificationSinkKinds.GitLab;

    protected override async Task<DeliveryResult> PostStatusAsync(string apiUrl, string token, ForgeCommit commit, ForgeStatus status, CancellationToken cancellationToken)
    {
        var state = status.State switch
        {
            CommitState.Pending => "pending",
            CommitState.Running => "running",
            CommitState.Success => "success",
            CommitState.Cancelled => "canceled",
            _ => "failed",
        };
        return await HttpDelivery.SendJsonAsync(httpClients.CreateClient(NotificationHttp.ClientName), HttpMethod.Post,
            $"{apiUrl}/api/v4/projects/{Uri.EscapeDataString(commit.Repository)}/statuses/{commit.Sha}",
            new { state, name = status.Context, target_url = status.TargetUrl, description = status.Description },
            headers => headers.Add("PRIVATE-TOKEN", token), clock, cancellationToken);
    }
}
