using System.Security.Claims;
using Hydra.Web.Api.Projects;
using Hydra.Web.Auth;

namespace Hydra.Web.Api.Builds;

/// <summary>
/// Who may act on a project's builds, as in Hydra: a role for each action (cancel-build, restart-jobs,
/// bump-to-front), or ownership of the project, or admin. Keep is for the owner and admins only.
/// </summary>
public static class BuildRights
{
    public static bool MayCancel(ClaimsPrincipal user, string projectOwner) => Holds(user, HydraRoles.CancelBuild, projectOwner);

    public static bool MayRestart(ClaimsPrincipal user, string projectOwner) => Holds(user, HydraRoles.RestartJobs, projectOwner);

    public static bool MayBump(ClaimsPrincipal user, string projectOwner) => Holds(user, HydraRoles.BumpToFront, projectOwner);

    public static bool MayKeep(ClaimsPrincipal user, string projectOwner) =>
        user.Identity?.IsAuthenticated == true && ProjectEndpoints.IsOwnerOrAdmin(user, projectOwner);

    private static bool Holds(ClaimsPrincipal user, string role, string projectOwner) =>
        user.Identity?.IsAuthenticated == true && (user.IsInRole(role) || ProjectEndpoints.IsOwnerOrAdmin(user, projectOwner));
}
