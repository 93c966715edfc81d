using System.Security.Claims;
using Hydra.Web.Auth;

namespace Hydra.Web.Channels;

/// <summary>Who may create, promote and roll back channels: admins and release managers.</summary>
public static class ChannelRights
{
    public static bool MayManage(ClaimsPrincipal user) =>
        user.Identity?.IsAuthenticated == true && (user.IsInRole(HydraRoles.Admin) || user.IsInRole(HydraRoles.ReleaseManager));

    public const string Needed = "Changing channels needs the release-manager or admin role.";
}
