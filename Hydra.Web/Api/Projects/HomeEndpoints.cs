using Hydra.Core.Data;
using Hydra.Web.Pages.Home;
using Microsoft.AspNetCore.Http.HttpResults;
using Hydra.Web.Pages.Shared;

namespace Hydra.Web.Api.Projects;

/// <summary><c>GET /</c>: the project overview page, or Hydra's project list as JSON.</summary>
internal static class HomeEndpoints
{
    public static RouteGroupBuilder MapHomeEndpoints(this RouteGroupBuilder routes)
    {
        routes.MapGet("/", async (HttpContext http, HydraDbContext db, SharedResults shared, CancellationToken cancellationToken) =>
        {
            if (Negotiation.WantsJson(http.Request))
            {
                return HydraJson.Ok(await ProjectQueries.ListAsync(db, cancellationToken));
            }
            var model = await HomeQuery.LoadAsync(db, shared, cancellationToken);
            return new RazorComponentResult<HomePage>(new { Model = model });
        });
        return routes;
    }
}
