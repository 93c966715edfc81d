using Hydra.Core.Data;
using Microsoft.EntityFrameworkCore;
using Npgsql;

namespace Hydra.Web.Api.Builds;

/// <summary>
/// A build's relations: <c>/build/{id}/constituents</c> (an aggregate's constituent builds, streamed in the
/// Build shape), <c>/build/{id}/eval</c> (a redirect to the newest evaluation holding it) and Hydra's legacy
/// <c>/build/{id}/nixlog/{n}</c>, a 301 to the log of the build's n-th step (steps in creation order).
/// The redirects keep the rest of the path.
/// </summary>
internal static class BuildLinkEndpoints
{
    public static RouteGroupBuilder MapBuildLinkEndpoints(this RouteGroupBuilder routes)
    {
        routes.MapGet("/build/{id:long}/constituents", ConstituentsAsync);
        routes.MapGet("/build/{id:long}/eval/{**rest}", EvalAsync);
        routes.MapGet("/build/{id:long}/nixlog/{nr:int}/{**rest}", NixLogAsync);
        return routes;
    }

    /// <summary>JSON whatever was asked: the build page already lists the constituents.</summary>
    private static async Task<IResult> ConstituentsAsync(long id, HydraDbContext db, NpgsqlDataSource dataSource, CancellationToken cancellationToken) =>
        await db.Builds.AnyAsync(b => b.Id == id, cancellationToken)
            ? BuildJsonStream.Result(dataSource, BuildJsonStream.ConstituentsOf, id)
            : HydraJson.NotFound($"Build {id} doesn't exist.");

    private static async Task<IResult> EvalAsync(long id, string? rest, HttpContext http, HydraDbContext db, CancellationToken cancellationToken)
    {
        var evalId = await db.EvaluationMembers.AsNoTracking().Where(m => m.BuildId == id)
            .OrderByDescending(m => m.EvaluationId).Select(m => (long?)m.EvaluationId).FirstOrDefaultAsync(cancellationToken);
        return evalId is null
            ? HydraJson.NotFound($"Build {id} doesn't exist or belongs to no evaluation.")
            : TrailingPath.Redirect(http.Request, $"/eval/{evalId}", rest);
    }

    private static async Task<IResult> NixLogAsync(long id, int nr, string? rest, HttpContext http, HydraDbContext db, CancellationToken cancellationToken)
    {
        var stepId = nr < 1 ? null : await db.BuildSteps.AsNoTracking().Where(s => s.BuildId == id)
            .OrderBy(s => s.StepId).Skip(nr - 1).Select(s => (long?)s.StepId).FirstOrDefaultAsync(cancellationToken);
        return stepId is null
            ? HydraJson.NotFound($"Build {id} has no step {nr}.")
            : Results.Redirect(TrailingPath.Location(http.Request, $"/build/{id}/step/{stepId}/log", rest), permanent: true);
    }
}
