using System.Net.Http.Headers;
using System.Net.Http.Json;
using Hydra.Core.Notifications.Sinks;

namespace Hydra.Core.Notifications.Forges;

/// <summary>
/// Gitea and Forgejo commit statuses: <c>POST {apiUrl}/api/v1/repos/{owner}/{repo}/statuses/{sha}</c> with
/// <c>Authorization: token ...</c>. <c>apiUrl</c> defaults to the input URL's host.
/// </summary>
public sealed class GiteaStatusSink(IHttpClientFactory httpClients, TimeProvider clock) : ForgeStatusSink
{
    public override string Kind => NotificationSinkKinds.Gitea;

    protected override async Task<DeliveryResult> PostStatusAsync(DeliveryContext delivery, string token, ForgeCommit commit, ForgeStatus status, CancellationToken cancellationToken)
    {
        if ((delivery.Sink.Get("apiUrl") ?? commit.Host) is not { } apiUrl)
        {
            return DeliveryResult.Fatal("The gitea sink needs apiUrl (the input URL names no host).");
        }
        var state = status.State switch
        {
            CommitState.Pending or CommitState.Running => "pending",
            CommitState.Success => "success",
            CommitState.Failure => "failure",
            _ => "error",
        };
        using var request = new HttpRequestMessage(HttpMethod.Post, $"{apiUrl.TrimEnd('/')}/api/v1/repos/{commit.Repository}/statuses/{commit.Sha}")
        {
            Content = JsonContent.Create(new { state, target_url = status.TargetUrl, description = status.Description, context = status.Context }),
        };
        request.Headers.Authorization = new AuthenticationHeaderValue("token", token);
        request.Headers.UserAgent.ParseAdd(NotificationHttp.UserAgent);
        return await HttpDelivery.SendAsync(httpClients.CreateClient(NotificationHttp.ClientName), request, clock, cancellationToken);
    }
}
