using System.Security.Claims;

namespace Hydra.Web.Auth;

/// <summary>
/// Who administers a project, as in Hydra (<c>isProjectOwner</c>): admins, its owner and its members
/// (<c>project_members</c>, issued as <see cref="MemberClaim"/> claims by <see cref="CurrentUserClaims"/>).
/// They edit the project and its jobsets and may evaluate, cancel, restart and bump its builds.
/// </summary>
public static class ProjectRights
{
    /// <summary>One claim per project the user is a member of; the value is the project's name.</summary>
    public const string MemberClaim = "hydra:project-member";

    public static bool Administers(ClaimsPrincipal user, string project, string owner) =>
        user.Identity?.IsAuthenticated == true
        && (user.IsInRole(HydraRoles.Admin)
            || string.Equals(user.Identity.Name, owner, StringComparison.Ordinal)
            || user.HasClaim(MemberClaim, project));
}
