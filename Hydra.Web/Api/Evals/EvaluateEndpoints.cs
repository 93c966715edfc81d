using System.Security.Claims;
using Hydra.Core.Data;
using Hydra.Evaluator.Jobsets;
using Hydra.Web.Api.Projects;
using Hydra.Web.Auth;
using Hydra.Web.Pages;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.EntityFrameworkCore;

namespace Hydra.Web.Api.Evals;

/// <summary>
/// <c>POST /jobset/{p}/{j}/evaluate[?force=1]</c>: the jobset page's "Evaluate" and "Force evaluation"
/// buttons. Same rights as <c>/api/push</c> (admin, eval-jobset role or the project's owner). Form
/// posts carry an antiforgery token and are redirected back to the jobset page; JSON clients instead
/// need a same-origin Origin or Referer, as for every other write.
/// </summary>
internal static class EvaluateEndpoints
{
    public static RouteGroupBuilder MapEvaluateEndpoints(this RouteGroupBuilder routes)
    {
        // The token is checked by hand below (after the rights, so a refusal says why), as /login does.
        routes.MapPost("/jobset/{project}/{jobset}/evaluate", EvaluateAsync).DisableAntiforgery();
        return routes;
    }

    /// <summary>Who may ask for an evaluation of a project's jobsets.</summary>
    public static bool MayEvaluate(ClaimsPrincipal user, string project, string projectOwner) =>
        user.Identity?.IsAuthenticated == true
        && (user.IsInRole(HydraRoles.EvalJobset) || ProjectRights.Administers(user, project, projectOwner));

    private static async Task<IResult> EvaluateAsync(
        string project, string jobset, HttpContext http, HydraDbContext db, JobsetTrigger trigger, IAntiforgery antiforgery, CancellationToken cancellationToken)
    {
        var jobsetUrl = $"/jobset/{project}/{jobset}";
        var owner = await db.Jobsets.AsNoTracking().Where(j => j.Name == jobset && j.Project!.Name == project)
            .Select(j => j.Project!.Owner).SingleOrDefaultAsync(cancellationToken);
        if (owner is null)
        {
            return PostActions.IsForm(http.Request)
                ? NotFoundPage.Result($"Jobset '{project}:{jobset}' doesn't exist.")
                : HydraJson.NotFound($"Jobset '{project}:{jobset}' doesn't exist.");
        }
        var refusal = await PostActions.CheckAsync(http, antiforgery, MayEvaluate(http.User, project, owner),
            $"Evaluating {project}:{jobset} needs the eval-jobset role or ownership of project '{project}'.", "evaluate jobsets", jobsetUrl);
        if (refusal is not null)
        {
            return refusal;
        }
        string? force = http.Request.Query["force"];
        if (PostActions.IsForm(http.Request))
        {
            force ??= (await http.Request.ReadFormAsync(cancellationToken))["force"];
        }

        var triggered = await trigger.TriggerAsync([(project, jobset)], force is "1" or "true", cancellationToken);
        return PostActions.Done(http.Request, Results.Json(new { jobsetsTriggered = triggered }), jobsetUrl);
    }
}
