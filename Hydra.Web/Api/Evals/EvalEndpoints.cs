using Hydra.Web.Pages.Shared;
using Hydra.Core.Data;
using Hydra.Web.Api.Builds;
using Hydra.Web.Api.Jobsets;
using Hydra.Web.Pages;
using Hydra.Web.Pages.Evals;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Npgsql;

namespace Hydra.Web.Api.Evals;

/// <summary>
/// <c>/jobset/{p}/{j}/evals</c>, <c>/eval/{id}</c> and <c>/eval/{id}/builds</c>. The eval page always
/// compares with another evaluation (<c>?compare=</c>, default the previous one); the JSON carries
/// the comparison only when <c>compare</c> is in the query, so Hydra clients get Hydra's shape.
/// </summary>
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
        string project, string jobset, int? page, HttpContext http, HydraDbContext db, SharedResults shared, CancellationToken cancellationToken)
    {
        if (!Negotiation.WantsJson(http.Request))
        {
            return await JobsetEndpoints.PageAsync(db, shared, project, jobset, before: null, cancellationToken);
        }
        var jobsetId = await db.Jobsets.AsNoTracking().Where(j => j.Project!.Name == project && j.Name == jobset)
            .Select(j => (long?)j.Id).SingleOrDefaultAsync(cancellationToken);
        return jobsetId is null
            ? HydraJson.NotFound($"Jobset '{project}:{jobset}' doesn't exist.")
            : HydraJson.Ok(await EvalQueries.ListAsync(db, jobsetId.Value, page ?? 1, cancellationToken));
    }

    private static async Task<IResult> GetAsync(
        long id, string? compare, string? tab, string? after, HttpContext http, HydraDbContext db, EvaluationDiffCache diffs, CancellationToken cancellationToken)
    {
        if (!Negotiation.WantsJson(http.Request))
        {
            return await PageAsync(db, diffs, id, compare, tab, after, cancellationToken);
        }
        var evals = await EvalQueries.LoadAsync(db, [id], cancellationToken);
        if (evals.Count == 0)
        {
            return HydraJson.NotFound($"Evaluation {id} doesn't exist.");
        }
        if (!http.Request.Query.ContainsKey("compare"))
        {
            return HydraJson.Ok(evals[0]);
        }
        var (found, compareTo) = await EvaluationComparison.ResolveAsync(db, id, compare, cancellationToken);
        if (!found)
        {
            return HydraJson.NotFound($"Nothing to compare with: '{compare}' names no evaluation.");
        }
        var diff = await EvaluationComparison.CompareAsync(db, id, compareTo, cancellationToken);
        return HydraJson.Ok(evals[0] with { Comparison = EvalComparisonJson.From(diff) });
    }

    private static async Task<IResult> BuildsAsync(
        long id, HttpContext http, HydraDbContext db, NpgsqlDataSource dataSource, EvaluationDiffCache diffs, CancellationToken cancellationToken)
    {
        if (!Negotiation.WantsJson(http.Request))
        {
            return await PageAsync(db, diffs, id, compare: null, tab: null, after: null, cancellationToken);
        }
        // Streamed: an evaluation may hold 100,000 builds (see BuildJsonStream).
        return await db.Evaluations.AnyAsync(e => e.Id == id, cancellationToken)
            ? BuildJsonStream.Result(dataSource, BuildJsonStream.OfEvaluation, id)
            : HydraJson.NotFound($"Evaluation {id} doesn't exist.");
    }

    private static async Task<IResult> PageAsync(
        HydraDbContext db, EvaluationDiffCache diffs, long id, string? compare, string? tab, string? after, CancellationToken cancellationToken)
    {
        var model = await EvalPageQuery.LoadAsync(db, id, cancellationToken);
        if (model is null)
        {
            return NotFoundPage.Result($"Evaluation {id} doesn't exist.");
        }
        var (found, compareTo) = await EvaluationComparison.ResolveAsync(db, id, compare, cancellationToken);
        if (!found)
        {
            return NotFoundPage.Result($"Nothing to compare with: '{compare}' names no evaluation.");
        }
        var diff = await diffs.GetAsync(id, compareTo, cancellationToken);
        return new RazorComponentResult<EvalPage>(new { Model = model with { Comparison = diff, Compare = compare, Tab = tab, After = after } });
    }
}
