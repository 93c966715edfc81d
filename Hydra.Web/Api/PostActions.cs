using Hydra.Web.Auth;
using Hydra.Web.Pages;
using Microsoft.AspNetCore.Antiforgery;

namespace Hydra.Web.Api;

/// <summary>
/// The rules every action button of the pages shares (evaluate, cancel, restart, bump, keep), and the same
/// URLs for scripts. The right is checked first, so a refusal says why. A form post must carry the page's
/// antiforgery token and is answered with a redirect back to the page; any other request is a JSON client,
/// which instead needs a same-origin <c>Origin</c> or <c>Referer</c> (Hydra's rule) and gets JSON.
/// </summary>
internal static class PostActions
{
    public static bool IsForm(HttpRequest request) => request.HasFormContentType;

    /// <summary>Null when the request may go on; otherwise the refusal to send.</summary>
    /// <param name="allowed">Whether the user holds the right.</param>
    /// <param name="rightNeeded">For a signed-in user without the right: what it takes, e.g. "Cancelling needs the cancel-build role...".</param>
    /// <param name="signInTo">For a visitor: "Sign in to {signInTo}."</param>
    /// <param name="backUrl">The page the form is on.</param>
    public static async Task<IResult?> CheckAsync(
        HttpContext http, IAntiforgery antiforgery, bool allowed, string rightNeeded, string signInTo, string backUrl)
    {
        if (!allowed)
        {
            var reason = http.User.Identity?.IsAuthenticated == true ? rightNeeded : $"Sign in to {signInTo}.";
            return Refuse(http.Request, StatusCodes.Status403Forbidden, "Forbidden", reason, backUrl);
        }
        if (!IsForm(http.Request))
        {
            return SameOrigin.IsSameOrigin(http.Request)
                ? null
                : HydraJson.Error(StatusCodes.Status403Forbidden, "Cross-origin write refused: send an Origin or Referer header naming this server.");
        }
        return await antiforgery.IsRequestValidAsync(http)
            ? null
            : Refuse(http.Request, StatusCodes.Status400BadRequest, "Form expired", "The form expired; reload the page and try again.", backUrl);
    }

    /// <summary>An error as JSON for scripts, as a page for the forms.</summary>
    public static IResult Refuse(HttpRequest request, int statusCode, string heading, string message, string backUrl) =>
        IsForm(request) ? ErrorPage.Result(statusCode, heading, message, backUrl) : HydraJson.Error(statusCode, message);

    /// <summary>Done: the JSON answer for scripts, back to the page for the forms.</summary>
    public static IResult Done(HttpRequest request, IResult json, string backUrl) => IsForm(request) ? Results.Redirect(backUrl) : json;
}
