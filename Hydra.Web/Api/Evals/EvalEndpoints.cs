using Hydra.Core.Data;
using Hydra.Web.Api.Builds;
using Hydra.Web.Api.Jobsets;
using Hydra.Web.Pages;
using Hydra.Web.Pages.Evals;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace Hydra.Web.Api.Evals;

/// <summary><c>/jobset/{p}/{j}/evals</c>, <c>/eval/{id}</c> and <c>/eval/{id}/builds</c>.</summary>
internal static class EvalEndpoints
{
    public static RouteGroupBuilder MapEvalEndpoints(this RouteGroupBuilder routes)
    {
        routes.MapGet("/jobset/{project}/{jobset}/evals", ListAsync);
        routes.MapGet("/eval/{id:long}", GetAsync);
        routes.MapGet("/eval/{id:long}/builds", BuildsAsync);
        return routes;
    }

    private static async Task<IResult> ListAsync(
        string project, string jobset, int? page, HttpContext http, HydraDbContext db, CancellationToken cancellationToken)
    {
        if (!Negotiation.WantsJson(http.Request))
        {
            return await JobsetEndpoints.PageAsync(db, project, jobset, page ?? 1, cancellationToken);
        }
        var jobsetId = await db.Jobsets.AsNoTracking().Where(j => j.Project!.Name == project && j.Name == jobset)
            .Select(j => (long?)j.Id).SingleOrDefaultAsync(cancellationToken);
        return jobsetId is null
            ? HydraJson.NotFound($"Jobset '{project}:{jobset}' doesn't exist.")
            : HydraJson.Ok(await EvalQueries.ListAsync(db, jobsetId.Value, page ?? 1, cancellationToken));
    }

    private static async Task<IResult> GetAsync(long id, HttpContext http, HydraDbContext db, CancellationToken cancellationToken)
    {
        if (!Negotiation.WantsJson(http.Request))
        {
            return await PageAsync(db, id, cancellationToken);
        }
        var evals = await EvalQueries.LoadAsync(db, [id], cancellationToken);
        return evals.Count == 0 ? HydraJson.NotFound($"Evaluation {id} doesn't exist.") : HydraJson.Ok(evals[0]);
    }

    private static async Task<IResult> BuildsAsync(long id, HttpContext http, HydraDbContext db, CancellationToken cancellationToken)
    {
        if (!Negotiation.WantsJson(http.Request))
        {
            return await PageAsync(db, id, cancellationToken);
        }
        if (!await db.Evaluations.AnyAsync(e => e.Id == id, cancellationToken))
        {
            return HydraJson.NotFound($"Evaluation {id} doesn't exist.");
        }
        var buildIds = await db.EvaluationMembers.AsNoTracking().Where(m => m.EvaluationId == id)
            .OrderBy(m => m.BuildId).Select(m => m.BuildId).ToListAsync(cancellationToken);
        return HydraJson.Ok(await BuildQueries.LoadAsync(db, buildIds, cancellationToken));
    }

    private static async Task<IResult> PageAsync(HydraDbContext db, long id, CancellationToken cancellationToken)
    {
        var model = await EvalPageQuery.LoadAsync(db, id, cancellationToken);
        return model is null
            ? NotFoundPage.Result($"Evaluation {id} doesn't exist.")
            : new RazorComponentResult<EvalPage>(new { Model = model });
    }
}
