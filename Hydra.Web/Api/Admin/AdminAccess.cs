using Hydra.Web.Auth;
using Hydra.Web.Pages;

namespace Hydra.Web.Api.Admin;

/// <summary>The admin pages' one rule: the admin role. A visitor is sent to sign in, anyone else gets a 403 that says why.</summary>
internal static class AdminAccess
{
    public const string RightNeeded = "The admin pages need the admin role.";

    public static bool IsAdmin(HttpContext http) => http.User.IsInRole(HydraRoles.Admin);

    /// <summary>Null when the request may see the page at <paramref name="url"/>; otherwise the answer to send.</summary>
    public static IResult? Gate(HttpContext http, string url)
    {
        if (IsAdmin(http))
        {
            return null;
        }
        var signedIn = http.User.Identity?.IsAuthenticated == true;
        if (Negotiation.WantsJson(http.Request))
        {
            return HydraJson.Error(signedIn ? StatusCodes.Status403Forbidden : StatusCodes.Status401Unauthorized,
                signedIn ? RightNeeded : "This page requires you to sign in.");
        }
        return signedIn
            ? ErrorPage.Result(StatusCodes.Status403Forbidden, "Forbidden", RightNeeded, "/")
            : Results.Redirect($"/login?returnUrl={Uri.EscapeDataString(url)}");
    }
}
