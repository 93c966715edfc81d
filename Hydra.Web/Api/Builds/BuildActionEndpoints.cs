using System.Security.Claims;
using Hydra.Core;
using Hydra.Core.Data;
using Hydra.Queue.Dispatch;
using Hydra.Queue.Operations;
using Hydra.Web.Pages;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.EntityFrameworkCore;

namespace Hydra.Web.Api.Builds;

/// <summary>
/// Hydra's build actions, as POSTs (<see cref="PostActions"/> has the form and same-origin rules):
/// <c>/build/{id}/cancel</c>, <c>/restart</c>, <c>/bump</c>, <c>/keep</c> and <c>/unkeep</c> (also Hydra's
/// <c>/keep/1</c> and <c>/keep/0</c>). An action that does not fit the build's state (cancelling a finished
/// build, restarting a queued one) answers 409.
/// </summary>
internal static class BuildActionEndpoints
{
    public static RouteGroupBuilder MapBuildActionEndpoints(this RouteGroupBuilder routes)
    {
        // Antiforgery tokens are checked by PostActions, after the rights, so a refusal says why.
        routes.MapPost("/build/{id:long}/cancel", CancelAsync).DisableAntiforgery();
        routes.MapPost("/build/{id:long}/restart", RestartAsync).DisableAntiforgery();
        routes.MapPost("/build/{id:long}/bump", BumpAsync).DisableAntiforgery();
        routes.MapPost("/build/{id:long}/keep", (long id, HttpContext http, HydraDbContext db, BuildOperations operations, IAntiforgery antiforgery, CancellationToken ct) =>
            KeepAsync(id, true, http, db, operations, antiforgery, ct)).DisableAntiforgery();
        routes.MapPost("/build/{id:long}/unkeep", (long id, HttpContext http, HydraDbContext db, BuildOperations operations, IAntiforgery antiforgery, CancellationToken ct) =>
            KeepAsync(id, false, http, db, operations, antiforgery, ct)).DisableAntiforgery();
        routes.MapPost("/build/{id:long}/keep/{value:int}", (long id, int value, HttpContext http, HydraDbContext db, BuildOperations operations, IAntiforgery antiforgery, CancellationToken ct) =>
            KeepAsync(id, value != 0, http, db, operations, antiforgery, ct)).DisableAntiforgery();
        return routes;
    }

    private sealed record Target(string Project, string Owner, bool Finished, int? Status);

    private static async Task<IResult> CancelAsync(
        long id, HttpContext http, HydraDbContext db, BuildOperations operations, IAntiforgery antiforgery, CancellationToken cancellationToken) =>
        await ActAsync(id, http, db, antiforgery, BuildRights.MayCancel, "Cancelling builds needs the cancel-build role or ownership of the build's project.", "cancel builds",
            async build =>
            {
                if (build.Finished)
                {
                    return Conflict(http, $"Build {id} has already finished.", id);
                }
                var result = await operations.CancelAsync([id], cancellationToken);
                return result.Builds == 0
                    ? Conflict(http, $"Build {id} has already finished.", id)
                    : Done(http, id, new { cancelled = result.Builds, steps = result.Steps, runningsteps = result.RunningSteps });
            }, cancellationToken);

    private static async Task<IResult> RestartAsync(
        long id, HttpContext http, HydraDbContext db, BuildRestarts restarts, IAntiforgery antiforgery, CancellationToken cancellationToken) =>
        await ActAsync(id, http, db, antiforgery, BuildRights.MayRestart, "Restarting builds needs the restart-jobs role or ownership of the build's project.", "restart builds",
            async build =>
            {
                if (!BuildRestarts.IsRestartable(build.Finished, build.Status))
                {
                    var why = build.Finished
                        ? $"Build {id} {(build.Status == BuildStatus.Succeeded ? "succeeded" : "failed with output: its outputs exist")}; there is nothing to rebuild."
                        : $"Build {id} has not finished; only finished builds can be restarted.";
                    return Conflict(http, why, id);
                }
                var restarted = await restarts.RestartAsync([id], cancellationToken);
                return restarted == 0 ? Conflict(http, $"Build {id} changed meanwhile; reload and try again.", id) : Done(http, id, new { restarted });
            }, cancellationToken);

    private static async Task<IResult> BumpAsync(
        long id, HttpContext http, HydraDbContext db, BuildBumps bumps, IAntiforgery antiforgery, CancellationToken cancellationToken) =>
        await ActAsync(id, http, db, antiforgery, BuildRights.MayBump, "Bumping builds needs the bump-to-front role or ownership of the build's project.", "bump builds",
            async build => build.Finished || !await bumps.BumpAsync(id, cancellationToken)
                ? Conflict(http, $"Build {id} has already finished.", id)
                : Done(http, id, new { bumped = 1 }), cancellationToken);

    private static async Task<IResult> KeepAsync(
        long id, bool keep, HttpContext http, HydraDbContext db, BuildOperations operations, IAntiforgery antiforgery, CancellationToken cancellationToken) =>
        await ActAsync(id, http, db, antiforgery, BuildRights.MayKeep, "Keeping builds is for the owner of the build's project and admins.", "keep builds",
            async _ => await operations.SetKeepAsync(id, keep, cancellationToken)
                ? Done(http, id, new { keep })
                : PostActions.Refuse(http.Request, StatusCodes.Status404NotFound, "Not found", $"Build {id} doesn't exist.", "/"), cancellationToken);

    /// <summary>Finds the build, checks the right and the request, then runs <paramref name="action"/>.</summary>
    private static async Task<IResult> ActAsync(
        long id, HttpContext http, HydraDbContext db, IAntiforgery antiforgery, Func<ClaimsPrincipal, string, string, bool> right, string rightNeeded,
        string signInTo, Func<Target, Task<IResult>> action, CancellationToken cancellationToken)
    {
        var build = await db.Builds.AsNoTracking().Where(b => b.Id == id)
            .Select(b => new Target(b.Jobset!.Project!.Name, b.Jobset.Project.Owner, b.Finished, b.BuildStatus)).SingleOrDefaultAsync(cancellationToken);
        if (build is null)
        {
            return PostActions.IsForm(http.Request) ? NotFoundPage.Result($"Build {id} doesn't exist.") : HydraJson.NotFound($"Build {id} doesn't exist.");
        }
        var refusal = await PostActions.CheckAsync(http, antiforgery, right(http.User, build.Project, build.Owner), rightNeeded, signInTo, BuildUrl(id));
        return refusal ?? await action(build);
    }

    private static IResult Done(HttpContext http, long id, object json) => PostActions.Done(http.Request, HydraJson.Ok(json), BuildUrl(id));

    private static IResult Conflict(HttpContext http, string message, long id) =>
        PostActions.Refuse(http.Request, StatusCodes.Status409Conflict, "Not possible now", message, BuildUrl(id));

    private static string BuildUrl(long id) => $"/build/{id}";
}
