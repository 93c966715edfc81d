using Hydra.Core.Data;
using Hydra.Web.Api.Builds;
using Hydra.Web.Api.Jobsets;
using Hydra.Web.Api.Projects;
using Hydra.Web.Pages.Search;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace Hydra.Web.Api.Search;

/// <summary>
/// <c>GET /search?query=&amp;limit=</c>: the search page, or Hydra's SearchResult JSON
/// (<c>{projects, jobsets, builds, buildsdrv}</c>; jobs found by name come in <c>builds</c> too). A query that may
/// not be searched is a 400 with the reason, where Hydra answers 500.
/// </summary>
internal static class SearchEndpoints
{
    public static RouteGroupBuilder MapSearchEndpoints(this RouteGroupBuilder routes)
    {
        routes.MapGet("/search", SearchAsync);
        return routes;
    }

    private static async Task<IResult> SearchAsync(string? query, int? limit, HttpContext http, HydraDbContext db, CancellationToken cancellationToken)
    {
        var model = await SearchQuery.RunAsync(db, query, limit, cancellationToken);
        if (!Negotiation.WantsJson(http.Request))
        {
            return new RazorComponentResult<SearchPage>(new { Model = model })
            {
                StatusCode = model.Error is not null && model.Query.Length > 0 ? StatusCodes.Status400BadRequest : StatusCodes.Status200OK,
            };
        }
        if (model.Error is { } error)
        {
            return HydraJson.Error(StatusCodes.Status400BadRequest, error);
        }

        var names = model.Projects.Select(p => p.Name).ToList();
        var projects = await ProjectQueries.Project(db.Projects.AsNoTracking().Where(p => names.Contains(p.Name)).OrderBy(p => p.Name))
            .ToListAsync(cancellationToken);
        var jobsets = new List<JobsetJson>();
        foreach (var hit in model.Jobsets)
        {
            if (await JobsetQueries.FindAsync(db, hit.Project, hit.Name, cancellationToken) is { } jobset)
            {
                jobsets.Add(jobset);
            }
        }
        var builds = await BuildQueries.LoadAsync(db, [.. model.Jobs.Concat(model.BuildsByOutput).Select(b => b.Id).Distinct()], cancellationToken);
        var buildsDrv = await BuildQueries.LoadAsync(db, [.. model.BuildsByDerivation.Select(b => b.Id)], cancellationToken);
        return HydraJson.Ok(new { projects, jobsets, builds, buildsdrv = buildsDrv });
    }
}
