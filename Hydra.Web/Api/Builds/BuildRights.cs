using System.Security.Claims;
using Hydra.Web.Auth;

namespace Hydra.Web.Api.Builds;

/// <summary>
/// Who may act on a project's builds, as in Hydra: a role for each action (cancel-build, restart-jobs,
/// bump-to-front), or administering the project (owner, member, admin). Keep is for the project's administrators only.
/// </summary>
public static class BuildRights
{
    public static bool MayCancel(ClaimsPrincipal user, string project, string projectOwner) => Holds(user, HydraRoles.CancelBuild, project, projectOwner);

    public static bool MayRestart(ClaimsPrincipal user, string project, string projectOwner) => Holds(user, HydraRoles.RestartJobs, project, projectOwner);

    public static bool MayBump(ClaimsPrincipal user, string project, string projectOwner) => Holds(user, HydraRoles.BumpToFront, project, projectOwner);

    public static bool MayKeep(ClaimsPrincipal user, string project, string projectOwner) => ProjectRights.Administers(user, project, projectOwner);

    private static bool Holds(ClaimsPrincipal user, string role, string project, string projectOwner) =>
        user.Identity?.IsAuthenticated == true && (user.IsInRole(role) || ProjectRights.Administers(user, project, projectOwner));
}
