using Hydra.Web.Api;
using Hydra.Web.Auth;

namespace Hydra.Web.Gc;

/// <summary>
/// <c>GET /api/admin/gc</c>: the dry-run report (what garbage collection of the binary cache would delete and how many
/// bytes that frees); <c>POST /api/admin/gc</c> collects. Both for admins only.
/// </summary>
internal static class GcEndpoints
{
    public static RouteGroupBuilder MapGcEndpoints(this RouteGroupBuilder routes)
    {
        routes.MapGet("/api/admin/gc", async (HttpContext http, CacheGarbageCollector collector) =>
            http.User.IsInRole(HydraRoles.Admin)
                ? HydraJson.Ok(Json(await collector.PlanAsync(http.RequestAborted)))
                : HydraJson.Error(StatusCodes.Status403Forbidden, "The garbage collection report is for admins."));
        routes.MapPost("/api/admin/gc", async (HttpContext http, CacheGarbageCollector collector) =>
            http.User.IsInRole(HydraRoles.Admin)
                ? HydraJson.Ok(Json(await collector.RunAsync(http.RequestAborted)))
                : HydraJson.Error(StatusCodes.Status403Forbidden, "Collecting garbage needs the admin role."))
            .AddEndpointFilter<WriteAccessFilter>().DisableAntiforgery();
        return routes;
    }

    public static object Json(GcReport report) => new
    {
        dryrun = report.DryRun, roots = report.Roots, live = report.Live, young = report.Young,
        narinfos = report.NarInfos, nars = report.Nars, bytesfreed = report.BytesFreed,
    };
}
