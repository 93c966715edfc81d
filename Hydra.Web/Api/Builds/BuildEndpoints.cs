using Hydra.Core.Data;
using Hydra.Queue.Logs;
using Hydra.Web.Pages;
using Hydra.Web.Pages.Builds;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Hydra.Web.Api.Builds;

/// <summary><c>GET /build/{id}</c>: the build page, or Hydra's Build JSON.</summary>
internal static class BuildEndpoints
{
    public static RouteGroupBuilder MapBuildEndpoints(this RouteGroupBuilder routes)
    {
        routes.MapGet("/build/{id:long}", GetAsync);
        return routes;
    }

    private static async Task<IResult> GetAsync(
        long id, HttpContext http, HydraDbContext db, StepLogStore logs, CancellationToken cancellationToken)
    {
        if (Negotiation.WantsJson(http.Request))
        {
            var builds = await BuildQueries.LoadAsync(db, [id], cancellationToken);
            return builds.Count == 0 ? HydraJson.NotFound($"Build {id} doesn't exist.") : HydraJson.Ok(builds[0]);
        }
        var model = await BuildPageQuery.LoadAsync(db, logs, id, cancellationToken);
        return model is null
            ? NotFoundPage.Result($"Build {id} doesn't exist.")
            : new RazorComponentResult<BuildPage>(new { Model = model });
    }
}
