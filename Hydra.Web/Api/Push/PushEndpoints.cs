using Hydra.Core.Data;
using Hydra.Evaluator.Jobsets;
using Hydra.Web.Api.Projects;
using Hydra.Web.Auth;
using Microsoft.EntityFrameworkCore;

namespace Hydra.Web.Api.Push;

/// <summary>
/// <c>POST /api/push?jobsets=project:jobset,...[&amp;force=1]</c>: evaluate these jobsets now.
/// Like Hydra, it needs a signed-in user with the eval-jobset role or ownership of each project.
/// </summary>
internal static class PushEndpoints
{
    public static RouteGroupBuilder MapPushEndpoints(this RouteGroupBuilder routes)
    {
        routes.MapPost("/api/push", PushAsync).AddEndpointFilter<WriteAccessFilter>().DisableAntiforgery();
        return routes;
    }

    private static async Task<IResult> PushAsync(HttpContext http, HydraDbContext db, JobsetTrigger trigger, string? jobsets, string? force)
    {
        if (string.IsNullOrWhiteSpace(jobsets))
        {
            return HydraJson.Error(StatusCodes.Status400BadRequest, "Say which jobsets to evaluate: /api/push?jobsets=project:jobset[,project:jobset...]");
        }
        var names = new List<(string Project, string Jobset)>();
        foreach (var item in jobsets.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var parts = item.Split(':');
            if (parts.Length != 2 || parts[0].Length == 0 || parts[1].Length == 0)
            {
                return HydraJson.Error(StatusCodes.Status400BadRequest, $"'{item}' is not of the form project:jobset.");
            }
            names.Add((parts[0], parts[1]));
        }

        var mayEvaluateAll = http.User.IsInRole(HydraRoles.Admin) || http.User.IsInRole(HydraRoles.EvalJobset);
        if (!mayEvaluateAll)
        {
            var projects = names.Select(n => n.Project).Distinct().ToList();
            var owners = await db.Projects.AsNoTracking().Where(p => projects.Contains(p.Name)).ToDictionaryAsync(p => p.Name, p => p.Owner, http.RequestAborted);
            var refused = projects.Where(p => owners.TryGetValue(p, out var owner) && !ProjectRights.Administers(http.User, p, owner)).ToList();
            if (refused.Count > 0)
            {
                return HydraJson.Error(StatusCodes.Status403Forbidden, $"You need the eval-jobset role or ownership of: {string.Join(", ", refused)}.");
            }
        }

        var triggered = await trigger.TriggerAsync(names, force is "1" or "true", http.RequestAborted);
        if (triggered.Count == 0)
        {
            return HydraJson.Error(StatusCodes.Status404NotFound, $"No such jobset: {jobsets}.");
        }
        return Results.Json(new { jobsetsTriggered = triggered });
    }
}
