using Hydra.Core;
using Hydra.Queue.Completion;
using Hydra.Web.Auth;
using Hydra.Web.Pages.Admin;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Hydra.Web.Api.Admin;

/// <summary>
/// Administrators' pages and actions. <c>GET /admin</c> shows the background work; <c>POST /api/clear-failed-cache</c>
/// (Hydra's <c>/admin/clear-failed-cache</c>) empties the failure cache, so derivations that failed before are built
/// again by the next evaluation that needs them. Users and workers have endpoints of their own.
/// </summary>
internal static class AdminEndpoints
{
    public static RouteGroupBuilder MapAdminEndpoints(this RouteGroupBuilder routes)
    {
        routes.MapGet("/admin", PageAsync);
        routes.MapPost("/api/clear-failed-cache", ClearFailedCacheAsync).AddEndpointFilter<WriteAccessFilter>().DisableAntiforgery();
        routes.MapAdminUserEndpoints();
        routes.MapAdminWorkerEndpoints();
        return routes;
    }

    private static async Task<IResult> PageAsync(
        int? cleared, HttpContext http, NpgsqlDataSource db, TimeProvider timeProvider, IOptions<HydraOptions> options, IConfiguration configuration,
        CancellationToken cancellationToken)
    {
        if (AdminAccess.Gate(http, "/admin") is { } refusal)
        {
            return refusal;
        }
        var work = await BackgroundWorkQuery.LoadAsync(db, timeProvider.GetUtcNow(), cancellationToken);
        if (Negotiation.WantsJson(http.Request))
        {
            return HydraJson.Ok(work);
        }
        var warms = configuration.GetValue("Hydra:Web:WarmEvaluationComparisons", defaultValue: true);
        return new RazorComponentResult<AdminPage>(new { Work = work, ProcessRoles = options.Value.Roles, WarmsComparisons = warms, Cleared = cleared });
    }

    private static async Task<IResult> ClearFailedCacheAsync(HttpContext http, FailureCache failureCache, IAntiforgery antiforgery)
    {
        if (!AdminAccess.IsAdmin(http))
        {
            return PostActions.Refuse(http.Request, StatusCodes.Status403Forbidden, "Forbidden", "Clearing the failure cache needs the admin role.", "/admin");
        }
        // The admin page's button is a form, which must carry its antiforgery token; scripts passed WriteAccessFilter.
        if (PostActions.IsForm(http.Request) && !await antiforgery.IsRequestValidAsync(http))
        {
            return PostActions.Refuse(http.Request, StatusCodes.Status400BadRequest, "Form expired", "The form expired; reload the page and try again.", "/admin");
        }
        var cleared = await failureCache.ClearAsync(http.RequestAborted);
        return PostActions.Done(http.Request, HydraJson.Ok(new { cleared }), $"/admin?cleared={cleared}");
    }
}
