using Hydra.Core.Data;
using Hydra.Web.Pages.Status;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Hydra.Web.Api.Status;

/// <summary><c>GET /status/evaluations</c>: what the evaluators are doing (HTML or JSON).</summary>
internal static class StatusEndpoints
{
    public static RouteGroupBuilder MapStatusEndpoints(this RouteGroupBuilder routes)
    {
        routes.MapGet("/status/evaluations", EvaluationsAsync);
        return routes;
    }

    private static async Task<IResult> EvaluationsAsync(HttpContext http, HydraDbContext db, CancellationToken cancellationToken)
    {
        var model = await EvaluationStatusQuery.LoadAsync(db, cancellationToken);
        return Negotiation.WantsJson(http.Request)
            ? HydraJson.Ok(EvaluationStatusJson.From(model))
            : new RazorComponentResult<EvaluationStatusPage>(new { Model = model });
    }
}
