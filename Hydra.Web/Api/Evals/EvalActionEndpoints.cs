using System.Security.Claims;
using Hydra.Core.Data;
using Hydra.Queue.Operations;
using Hydra.Web.Api.Builds;
using Hydra.Web.Pages;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.EntityFrameworkCore;

namespace Hydra.Web.Api.Evals;

/// <summary>
/// Hydra's evaluation actions, as POSTs with the rules of <see cref="PostActions"/>: <c>/eval/{id}/cancel</c>
/// (its unfinished builds), <c>/restart-failed</c> (every finished build that did not succeed),
/// <c>/restart-aborted</c> (aborted, cancelled and unsupported-system builds) and <c>/bump</c>. Each answers
/// how many builds it changed; rights are those of the single-build actions on the evaluation's project.
/// </summary>
internal static class EvalActionEndpoints
{
    public static RouteGroupBuilder MapEvalActionEndpoints(this RouteGroupBuilder routes)
    {
        routes.MapPost("/eval/{id:long}/cancel", CancelAsync).DisableAntiforgery();
        routes.MapPost("/eval/{id:long}/restart-failed", (long id, HttpContext http, HydraDbContext db, BuildRestarts restarts, IAntiforgery antiforgery, CancellationToken ct) =>
            RestartAsync(id, RestartScope.Failed, http, db, restarts, antiforgery, ct)).DisableAntiforgery();
        routes.MapPost("/eval/{id:long}/restart-aborted", (long id, HttpContext http, HydraDbContext db, BuildRestarts restarts, IAntiforgery antiforgery, CancellationToken ct) =>
            RestartAsync(id, RestartScope.Aborted, http, db, restarts, antiforgery, ct)).DisableAntiforgery();
        routes.MapPost("/eval/{id:long}/bump", BumpAsync).DisableAntiforgery();
        return routes;
    }

    private static Task<IResult> CancelAsync(
        long id, HttpContext http, HydraDbContext db, BuildOperations operations, IAntiforgery antiforgery, CancellationToken cancellationToken) =>
        ActAsync(id, http, db, antiforgery, BuildRights.MayCancel, "Cancelling builds needs the cancel-build role or ownership of the project.", "cancel builds",
            async () => new { cancelled = (await operations.CancelEvaluationAsync(id, cancellationToken)).Builds }, cancellationToken);

    private static Task<IResult> RestartAsync(
        long id, RestartScope scope, HttpContext http, HydraDbContext db, BuildRestarts restarts, IAntiforgery antiforgery, CancellationToken cancellationToken) =>
        ActAsync(id, http, db, antiforgery, BuildRights.MayRestart, "Restarting builds needs the restart-jobs role or ownership of the project.", "restart builds",
            async () => new { restarted = await restarts.RestartEvaluationAsync(id, scope, cancellationToken) }, cancellationToken);

    private static Task<IResult> BumpAsync(
        long id, HttpContext http, HydraDbContext db, BuildOperations operations, IAntiforgery antiforgery, CancellationToken cancellationToken) =>
        ActAsync(id, http, db, antiforgery, BuildRights.MayBump, "Bumping builds needs the bump-to-front role or ownership of the project.", "bump builds",
            async () => new { bumped = await operations.BumpEvaluationAsync(id, cancellationToken) }, cancellationToken);

    private static async Task<IResult> ActAsync(
        long id, HttpContext http, HydraDbContext db, IAntiforgery antiforgery, Func<ClaimsPrincipal, string, string, bool> right, string rightNeeded,
        string signInTo, Func<Task<object>> action, CancellationToken cancellationToken)
    {
        var project = await db.Evaluations.AsNoTracking().Where(e => e.Id == id)
            .Select(e => new { e.Jobset!.Project!.Name, e.Jobset.Project.Owner }).SingleOrDefaultAsync(cancellationToken);
        if (project is null)
        {
            return PostActions.IsForm(http.Request) ? NotFoundPage.Result($"Evaluation {id} doesn't exist.") : HydraJson.NotFound($"Evaluation {id} doesn't exist.");
        }
        var evalUrl = $"/eval/{id}";
        var refusal = await PostActions.CheckAsync(http, antiforgery, right(http.User, project.Name, project.Owner), rightNeeded, signInTo, evalUrl);
        return refusal ?? PostActions.Done(http.Request, HydraJson.Ok(await action()), evalUrl);
    }
}
