using Hydra.Core;
using Hydra.Core.Data;
using Microsoft.EntityFrameworkCore;

namespace Hydra.Web.Api.Evals;

/// <summary>
/// What release scripts ask of an evaluation: <c>/jobset/{p}/{j}/latest-eval</c> (the newest evaluation
/// with new builds and none still queued) and <c>/eval/{id}/job/{job}</c> are redirects that keep the rest
/// of the path; <c>/eval/{id}/store-paths</c> is the sorted output paths of its succeeded builds that have a
/// <c>nix-build</c> product (what a channel mirror copies).
/// </summary>
internal static class EvalLinkEndpoints
{
    public static RouteGroupBuilder MapEvalLinkEndpoints(this RouteGroupBuilder routes)
    {
        routes.MapGet("/jobset/{project}/{jobset}/latest-eval/{**rest}", LatestEvalAsync);
        routes.MapGet("/eval/{id:long}/job/{job}/{**rest}", JobAsync);
        routes.MapGet("/eval/{id:long}/store-paths", StorePathsAsync);
        return routes;
    }

    private static async Task<IResult> LatestEvalAsync(
        string project, string jobset, string? rest, HttpContext http, HydraDbContext db, CancellationToken cancellationToken)
    {
        var jobsetId = await db.Jobsets.AsNoTracking().Where(j => j.Project!.Name == project && j.Name == jobset)
            .Select(j => (long?)j.Id).SingleOrDefaultAsync(cancellationToken);
        if (jobsetId is null)
        {
            return HydraJson.NotFound($"Jobset '{project}:{jobset}' doesn't exist.");
        }
        var evalId = await db.Evaluations.AsNoTracking()
            .Where(e => e.JobsetId == jobsetId && e.HasNewBuilds
                && !db.EvaluationMembers.Any(m => m.EvaluationId == e.Id && !m.Build!.Finished))
            .OrderByDescending(e => e.Id).Select(e => (long?)e.Id).FirstOrDefaultAsync(cancellationToken);
        return evalId is null
            ? HydraJson.NotFound($"Jobset '{project}:{jobset}' has no finished evaluation.")
            : TrailingPath.Redirect(http.Request, $"/eval/{evalId}", rest);
    }

    private static async Task<IResult> JobAsync(long id, string job, string? rest, HttpContext http, HydraDbContext db, CancellationToken cancellationToken)
    {
        if (!await db.Evaluations.AnyAsync(e => e.Id == id, cancellationToken))
        {
            return HydraJson.NotFound($"Evaluation {id} doesn't exist.");
        }
        var buildId = await db.EvaluationMembers.AsNoTracking().Where(m => m.EvaluationId == id && m.Build!.Job == job)
            .OrderByDescending(m => m.BuildId).Select(m => (long?)m.BuildId).FirstOrDefaultAsync(cancellationToken);
        return buildId is null
            ? HydraJson.NotFound($"Evaluation {id} has no job '{job}'.")
            : TrailingPath.Redirect(http.Request, $"/build/{buildId}", rest);
    }

    /// <summary>JSON whatever was asked: Hydra has no page for it.</summary>
    private static async Task<IResult> StorePathsAsync(long id, HydraDbContext db, CancellationToken cancellationToken)
    {
        if (!await db.Evaluations.AnyAsync(e => e.Id == id, cancellationToken))
        {
            return HydraJson.NotFound($"Evaluation {id} doesn't exist.");
        }
        var paths = await db.EvaluationMembers.AsNoTracking()
            .Where(m => m.EvaluationId == id && m.Build!.Finished && m.Build.BuildStatus == BuildStatus.Succeeded
                && db.BuildProducts.Any(p => p.BuildId == m.BuildId && p.Type == "nix-build"))
            .SelectMany(m => m.Build!.Outputs.Select(o => o.Path))
            .Distinct().OrderBy(p => p).ToListAsync(cancellationToken);
        return HydraJson.Ok(paths);
    }
}
