using Hydra.Core.Protocol;
using Hydra.Queue.Dispatch;
using Hydra.Queue.Leases;
using Hydra.Queue.Logs;
using Hydra.Queue.Completion;
using Hydra.Queue.Workers;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Options;

namespace Hydra.Queue.Api;

/// <summary>The worker protocol over HTTP (paths in <see cref="WorkerProtocol"/>).</summary>
public static class WorkerEndpoints
{
    public static IEndpointRouteBuilder MapHydraWorkerApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("").AddEndpointFilter<WorkerAuthFilter>().DisableAntiforgery();
        group.MapPost(WorkerProtocol.Release, ReleaseAsync);
        group.MapPost(WorkerProtocol.Claim, ClaimAsync);
        group.MapPost(WorkerProtocol.Heartbeat, HeartbeatAsync);
        group.MapPost(WorkerProtocol.Log, AppendLogAsync);
        group.MapPost(WorkerProtocol.Finish, FinishAsync);
        return app;
    }

    /// <summary>A (re)started builder gives back what its previous run held, so those steps need not wait for the lease.</summary>
    private static async Task<IResult> ReleaseAsync(HttpContext http, WorkerRelease release) =>
        Results.Ok(new ReleaseResponse(await release.ReleaseAllAsync(WorkerAuthFilter.Worker(http), http.RequestAborted)));

    /// <summary>
    /// Long-poll: try to claim at once; if nothing matches, wait in the <see cref="ClaimDispatcher"/>, whose
    /// rounds (on NOTIFY, or a short poll in case one was lost) serve waiting workers fastest first. A disabled or
    /// quarantined worker is held for the wait (or until its quarantine ends) and gets nothing, so it polls
    /// slowly and its steps go to others.
    /// </summary>
    private static async Task<IResult> ClaimAsync(ClaimRequest request, HttpContext http, ClaimDispatcher dispatcher, WorkerRegistry registry,
        IOptions<QueueOptions> options, TimeProvider clock)
    {
        if (request.Systems is not { Count: > 0 })
        {
            return Results.Problem(title: "No systems", detail: "A claim must list the systems the worker builds for, e.g. x86_64-linux.", statusCode: 400);
        }
        var worker = WorkerAuthFilter.Worker(http);
        var cancellationToken = http.RequestAborted;
        request = request with { Features = request.Features ?? [] };
        await registry.RecordAsync(worker.Id, request, cancellationToken);
        var wait = TimeSpan.FromSeconds(Math.Clamp(request.WaitSeconds, 0, options.Value.MaxClaimWait.TotalSeconds));
        var now = clock.GetUtcNow();
        if (worker.IsBlocked(now))
        {
            var blocked = worker.Enabled && worker.QuarantinedUntil - now is { } left && left < wait ? left : wait;
            await Task.Delay(blocked, clock, cancellationToken);
            return Results.NoContent();
        }
        var claim = await dispatcher.ClaimAsync(worker, request, wait, cancellationToken);
        return claim is null ? Results.NoContent() : Results.Ok(claim);
    }

    private static async Task<IResult> HeartbeatAsync(long attemptId, HeartbeatRequest? request, HttpContext http, LeaseService leases)
    {
        var response = await leases.RenewAsync(attemptId, WorkerAuthFilter.Worker(http).Id, http.RequestAborted);
        return response is null ? LeaseLost(attemptId) : Results.Ok(response);
    }

    private static async Task<IResult> AppendLogAsync(long attemptId, HttpContext http, LeaseService leases, StepLogWriter logs)
    {
        var attempt = await leases.StartLogBatchAsync(attemptId, WorkerAuthFilter.Worker(http).Id, http.RequestAborted);
        if (attempt is null)
        {
            return LeaseLost(attemptId);
        }
        await logs.AppendAsync(attempt, http.Request.Body, http.RequestAborted);
        return Results.NoContent();
    }

    private static async Task<IResult> FinishAsync(
        long attemptId, FinishRequest report, HttpContext http, StepResults results, WorkerHealth health, LeaseService leases, StepLogWriter logs)
    {
        var worker = WorkerAuthFilter.Worker(http).Id;
        if (report.Log is { Length: > 0 } tail)
        {
            // The log's last batch came with the report (WorkerInfo.FinishTakesLog): into the log before the result, as a batch
            // of its own would be. An attempt no longer running takes no log; the report below answers for it (a repeated
            // report of a recorded result, or a lost lease).
            if (await leases.StartLogBatchAsync(attemptId, worker, http.RequestAborted) is { } attempt)
            {
                using var body = new MemoryStream(System.Text.Encoding.UTF8.GetBytes(tail));
                await logs.AppendAsync(attempt, body, http.RequestAborted);
            }
        }
        var (result, succeeded) = await results.ReportAsync(attemptId, worker, report, http.RequestAborted);
        if (result == FinishResult.Accepted && !succeeded)
        {
            // The result is committed; count it against the worker even if it hangs up now (a success was counted
            // for it by the statement that applied it).
            await health.RecordAsync(attemptId, worker, CancellationToken.None);
        }
        return result == FinishResult.Stale ? LeaseLost(attemptId) : Results.Ok(new { result = result.ToString() });
    }

    private static IResult LeaseLost(long attemptId) => Results.Problem(
        title: "Lease lost",
        detail: $"Attempt {attemptId} no longer holds its step (the lease expired or the step finished); stop working on it.",
        statusCode: StatusCodes.Status409Conflict);
}
