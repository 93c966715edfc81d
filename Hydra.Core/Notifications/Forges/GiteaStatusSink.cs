using System.Net.Http.Headers;
using Hydra.Core.Notifications.Sinks;

namespace Hydra.Core.Notifications.Forges;

/// <summary>
/// Gitea and Forgejo commit statuses: <c>POST {apiUrl}/api/v1/repos/{owner}/{repo}/statuses/{sha}</c> with
/// <c>Authorization: token ...</c>. <c>apiUrl</c> defaults to the input URL's host.
/// </summary>
public sealed class GiteaStatusSink(IHttpClientFactory httpClients, TimeProvider clock) : ForgeStatusSink
{
    public override string Kind => NotificationSinkKinds.Gitea;

    protected override async Task<DeliveryResult> PostStatusAsync(string apiUrl, string token, ForgeCommit commit, ForgeStatus status, CancellationToken cancellationToken)
    {
        var state = status.State switch
        {
            CommitState.Pending or CommitState.Running => "pending",
            CommitState.Success => "success",
            CommitState.Failure => "failure",
            _ => "error",
        };
        return await HttpDelivery.SendJsonAsync(httpClients.CreateClient(NotificationHttp.ClientName), HttpMethod.Post,
            $"{apiUrl}/api/v1/repos/{commit.Repository}/statuses/{commit.Sha}",
            new { state, target_url = status.TargetUrl, description = status.Description, context = status.Context },
            headers => headers.Authorization = new AuthenticationHeaderValue("token", token), clock, cancellationToken);
    }
}
