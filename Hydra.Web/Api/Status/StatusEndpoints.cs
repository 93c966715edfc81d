using Hydra.Core.Data;
using Hydra.Queue.Workers;
using Hydra.Web.Pages.Status;
using Microsoft.AspNetCore.Http.HttpResults;
using Hydra.Web.Pages.Shared;

namespace Hydra.Web.Api.Status;

/// <summary>
/// <c>GET /status/evaluations</c>: what the evaluators are doing; <c>GET /machines</c>: the builder workers
/// (Hydra's machines page), with their quarantine. Both HTML or JSON. <c>GET /queue</c>: the queue page.
/// </summary>
internal static class StatusEndpoints
{
    public static RouteGroupBuilder MapStatusEndpoints(this RouteGroupBuilder routes)
    {
        routes.MapGet("/status/evaluations", EvaluationsAsync);
        routes.MapGet("/machines", MachinesAsync);
        routes.MapGet("/queue", QueueAsync);
        routes.MapGet("/queue-summary", () => Results.Redirect("/queue"));
        return routes;
    }

    private static async Task<IResult> EvaluationsAsync(HttpContext http, HydraDbContext db, CancellationToken cancellationToken)
    {
        var model = await EvaluationStatusQuery.LoadAsync(db, cancellationToken);
        return Negotiation.WantsJson(http.Request)
            ? HydraJson.Ok(EvaluationStatusJson.From(model))
            : new RazorComponentResult<EvaluationStatusPage>(new { Model = model });
    }

    private static async Task<IResult> QueueAsync(
        string? system, string? jobset, long? after, HydraDbContext db, SharedResults shared, TimeProvider timeProvider,
        CancellationToken cancellationToken)
    {
        var model = await QueuePageQuery.LoadAsync(db, shared, timeProvider, system, jobset, after, cancellationToken);
        return new RazorComponentResult<QueuePage>(new { Model = model });
    }

    private static async Task<IResult> MachinesAsync(
        HttpContext http, WorkerDirectory workers, HydraDbContext db, TimeProvider timeProvider, CancellationToken cancellationToken)
    {
        var list = await workers.ListAsync(cancellationToken);
        if (Negotiation.WantsJson(http.Request))
        {
            return HydraJson.Ok(list.Select(MachineJson.From).ToList());
        }
        var steps = await MachineStepsQuery.LoadAsync(db, timeProvider, cancellationToken);
        return new RazorComponentResult<MachinesPage>(new { Workers = list, Steps = steps });
    }
}
