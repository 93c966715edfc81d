using Hydra.Core;
using Hydra.Core.Data;
using Hydra.Core.Data.Entities;
using Microsoft.EntityFrameworkCore;

namespace Hydra.Web.Api.Jobs;

/// <summary>
/// A job's newest successful build, as Hydra names it: <c>latest</c>, <c>latest-for/{system}</c> and
/// <c>latest-finished</c> (only from an evaluation none of whose builds is still queued, the build a
/// channel would release) are 302s that keep the rest of the path; <c>shield</c> is a shields.io
/// endpoint badge of the newest finished build.
/// </summary>
internal static class LatestBuildEndpoints
{
    public static RouteGroupBuilder MapLatestBuildEndpoints(this RouteGroupBuilder routes)
    {
        routes.MapGet("/job/{project}/{jobset}/{job}/latest/{**rest}",
            (string project, string jobset, string job, string? rest, HttpContext http, HydraDbContext db, CancellationToken cancellationToken) =>
                RedirectAsync(http, Succeeded(db, project, jobset, job), rest, $"Job {project}:{jobset}:{job} has no successful build.", cancellationToken));
        routes.MapGet("/job/{project}/{jobset}/{job}/latest-for/{system}/{**rest}",
            (string project, string jobset, string job, string system, string? rest, HttpContext http, HydraDbContext db, CancellationToken cancellationToken) =>
                RedirectAsync(http, Succeeded(db, project, jobset, job).Where(b => b.System == system), rest,
                    $"Job {project}:{jobset}:{job} has no successful build for {system}.", cancellationToken));
        routes.MapGet("/job/{project}/{jobset}/{job}/latest-finished/{**rest}",
            (string project, string jobset, string job, string? rest, HttpContext http, HydraDbContext db, CancellationToken cancellationToken) =>
                RedirectAsync(http, Succeeded(db, project, jobset, job).Where(b => db.EvaluationMembers.Any(m => m.BuildId == b.Id
                        && !db.EvaluationMembers.Any(other => other.EvaluationId == m.EvaluationId && !other.Build!.Finished))),
                    rest, $"Job {project}:{jobset}:{job} has no successful build in a finished evaluation.", cancellationToken));
        routes.MapGet("/job/{project}/{jobset}/{job}/shield", ShieldAsync);
        return routes;
    }

    private static IQueryable<Build> OfJob(HydraDbContext db, string project, string jobset, string job) =>
        db.Builds.AsNoTracking().Where(b => b.Jobset!.Project!.Name == project && b.Jobset.Name == jobset && b.Job == job);

    private static IQueryable<Build> Succeeded(HydraDbContext db, string project, string jobset, string job) =>
        OfJob(db, project, jobset, job).Where(b => b.Finished && b.BuildStatus == BuildStatus.Succeeded);

    private static async Task<IResult> RedirectAsync(HttpContext http, IQueryable<Build> builds, string? rest, string notFound, CancellationToken cancellationToken)
    {
        var id = await builds.OrderByDescending(b => b.Id).Select(b => (long?)b.Id).FirstOrDefaultAsync(cancellationToken);
        return id is null ? HydraJson.NotFound(notFound) : TrailingPath.Redirect(http.Request, $"/build/{id}", rest);
    }

    /// <summary>Always JSON: shields.io asks without an Accept header.</summary>
    private static async Task<IResult> ShieldAsync(string project, string jobset, string job, HydraDbContext db, CancellationToken cancellationToken)
    {
        var status = await OfJob(db, project, jobset, job).Where(b => b.Finished)
            .OrderByDescending(b => b.Id).Select(b => b.BuildStatus).FirstOrDefaultAsync(cancellationToken);
        if (status is null)
        {
            return HydraJson.NotFound($"Job {project}:{jobset}:{job} has no finished build.");
        }
        var (color, message) = status switch
        {
            BuildStatus.Succeeded => ("green", "passing"),
            BuildStatus.Cancelled => ("yellow", "cancelled"),
            _ => ("red", "failing"),
        };
        return Results.Json(new ShieldJson(1, "hydra build", color, message));
    }
}
