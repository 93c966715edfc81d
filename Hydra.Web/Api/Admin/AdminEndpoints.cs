using Hydra.Queue.Completion;
using Hydra.Web.Auth;

namespace Hydra.Web.Api.Admin;

/// <summary>
/// Administrators' actions. <c>POST /api/clear-failed-cache</c> (Hydra's <c>/admin/clear-failed-cache</c>) empties
/// the failure cache, so derivations that failed before are built again by the next evaluation that needs them.
/// </summary>
internal static class AdminEndpoints
{
    public static RouteGroupBuilder MapAdminEndpoints(this RouteGroupBuilder routes)
    {
        routes.MapPost("/api/clear-failed-cache", ClearFailedCacheAsync).AddEndpointFilter<WriteAccessFilter>().DisableAntiforgery();
        return routes;
    }

    private static async Task<IResult> ClearFailedCacheAsync(HttpContext http, FailureCache failureCache)
    {
        if (!http.User.IsInRole(HydraRoles.Admin))
        {
            return HydraJson.Error(StatusCodes.Status403Forbidden, "Clearing the failure cache needs the admin role.");
        }
        var cleared = await failureCache.ClearAsync(http.RequestAborted);
        return HydraJson.Ok(new { cleared });
    }
}
