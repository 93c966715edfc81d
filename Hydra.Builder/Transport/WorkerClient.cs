using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using Hydra.Core.Protocol;

namespace Hydra.Builder.Transport;

/// <summary>
/// The worker protocol over HTTP (paths in <see cref="WorkerProtocol"/>). Transient trouble (network errors,
/// timeouts, 5xx) surfaces as <see cref="HttpRequestException"/> or <see cref="TaskCanceledException"/>;
/// callers decide how to retry. Expected answers (204, 409) are return values.
/// </summary>
public sealed class WorkerClient(HttpClient http)
{
    /// <summary>GET the worker info; also proves the token works.</summary>
    public async Task<WorkerInfo> GetInfoAsync(CancellationToken cancellationToken)
    {
        using var response = await http.GetAsync(WorkerProtocol.Info, cancellationToken);
        EnsureSuccess(response);
        return await response.Content.ReadFromJsonAsync(BuilderJsonContext.Default.WorkerInfo, cancellationToken)
            ?? throw new HttpRequestException("The server sent an empty worker info.");
    }

    /// <summary>
    /// At start-up: gives back the attempts a previous run of this worker left running, so the server queues
    /// their steps at once instead of after their leases. A server without the endpoint (404) had nothing to give back.
    /// </summary>
    public async Task<ReleaseResponse> ReleaseAsync(CancellationToken cancellationToken)
    {
        using var response = await http.PostAsync(WorkerProtocol.Release, content: null, cancellationToken);
        if (response.StatusCode == HttpStatusCode.NotFound)
        {
            return new ReleaseResponse(0);
        }

        EnsureSuccess(response);
        return await response.Content.ReadFromJsonAsync(BuilderJsonContext.Default.ReleaseResponse, cancellationToken) ?? new ReleaseResponse(0);
    }

    /// <summary>Long-polls for a step; <c>null</c> when none came within the wait.</summary>
    public async Task<ClaimResponse?> ClaimAsync(ClaimRequest request, CancellationToken cancellationToken)
    {
        using var content = JsonContent.Create(request, BuilderJsonContext.Default.ClaimRequest);
        using var response = await http.PostAsync(WorkerProtocol.Claim, content, cancellationToken);
        if (response.StatusCode == HttpStatusCode.NoContent)
        {
            return null;
        }

        EnsureSuccess(response);
        return await response.Content.ReadFromJsonAsync(BuilderJsonContext.Default.ClaimResponse, cancellationToken);
    }

    public async Task<HeartbeatResult> HeartbeatAsync(long attemptId, HeartbeatRequest request, CancellationToken cancellationToken)
    {
        using var content = JsonContent.Create(request, BuilderJsonContext.Default.HeartbeatRequest);
        using var response = await http.PostAsync(WorkerProtocol.ForAttempt(WorkerProtocol.Heartbeat, attemptId), content, cancellationToken);
        if (response.StatusCode == HttpStatusCode.Conflict)
        {
            return HeartbeatResult.LeaseLost;
        }

        EnsureSuccess(response);
        var answer = await response.Content.ReadFromJsonAsync(BuilderJsonContext.Default.HeartbeatResponse, cancellationToken);
        return answer is { Cancel: true } ? HeartbeatResult.Cancelled : HeartbeatResult.Renewed;
    }

    /// <summary>Appends UTF-8 log bytes to the step's log. Throws <see cref="LeaseLostException"/> on 409.</summary>
    public async Task AppendLogAsync(long attemptId, ReadOnlyMemory<byte> utf8, CancellationToken cancellationToken)
    {
        using var content = new ReadOnlyMemoryContent(utf8);
        content.Headers.ContentType = new MediaTypeHeaderValue("text/plain") { CharSet = "utf-8" };
        using var response = await http.PostAsync(WorkerProtocol.ForAttempt(WorkerProtocol.Log, attemptId), content, cancellationToken);
        if (response.StatusCode == HttpStatusCode.Conflict)
        {
            throw new LeaseLostException(attemptId);
        }

        EnsureSuccess(response);
    }

    public async Task<FinishResult> FinishAsync(long attemptId, FinishRequest request, CancellationToken cancellationToken)
    {
        using var content = JsonContent.Create(request, BuilderJsonContext.Default.FinishRequest);
        using var response = await http.PostAsync(WorkerProtocol.ForAttempt(WorkerProtocol.Finish, attemptId), content, cancellationToken);
        if (response.StatusCode == HttpStatusCode.Conflict)
        {
            return FinishResult.LeaseLost;
        }

        if ((int)response.StatusCode is >= 400 and < 500)
        {
            return FinishResult.Rejected;
        }

        EnsureSuccess(response);
        return FinishResult.Accepted;
    }

    private static void EnsureSuccess(HttpResponseMessage response)
    {
        if (!response.IsSuccessStatusCode)
        {
            throw new HttpRequestException(
                $"{response.RequestMessage?.Method} {response.RequestMessage?.RequestUri?.AbsolutePath} answered {(int)response.StatusCode} {response.ReasonPhrase}.",
                inner: null,
                response.StatusCode);
        }
    }
}
