using Hydra.Core.Data;
using Hydra.Queue.Workers;
using Hydra.Web.Pages.Status;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Hydra.Web.Api.Status;

/// <summary>
/// <c>GET /status/evaluations</c>: what the evaluators are doing; <c>GET /machines</c>: the builder workers
/// (Hydra's machines page), with their quarantine. Both HTML or JSON.
/// </summary>
internal static class StatusEndpoints
{
    public static RouteGroupBuilder MapStatusEndpoints(this RouteGroupBuilder routes)
    {
        routes.MapGet("/status/evaluations", EvaluationsAsync);
        routes.MapGet("/machines", MachinesAsync);
        return routes;
    }

    private static async Task<IResult> EvaluationsAsync(HttpContext http, HydraDbContext db, CancellationToken cancellationToken)
    {
        var model = await EvaluationStatusQuery.LoadAsync(db, cancellationToken);
        return Negotiation.WantsJson(http.Request)
            ? HydraJson.Ok(EvaluationStatusJson.From(model))
            : new RazorComponentResult<EvaluationStatusPage>(new { Model = model });
    }

    private static async Task<IResult> MachinesAsync(HttpContext http, WorkerDirectory workers, CancellationToken cancellationToken)
    {
        var list = await workers.ListAsync(cancellationToken);
        return Negotiation.WantsJson(http.Request)
            ? HydraJson.Ok(list.Select(MachineJson.From).ToList())
            : new RazorComponentResult<MachinesPage>(new { Workers = list });
    }
}
