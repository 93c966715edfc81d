using Hydra.Core.Protocol;
using Hydra.Web.Api;
using Microsoft.Extensions.Options;

namespace Hydra.Web.Auth;

/// <summary>
/// Runs after authentication: refuses a personal API token that did not sign the request in (rather than
/// going on as a visitor), and in private mode (<see cref="AccessOptions.Private"/>) sends visitors to the
/// sign-in form, except on the paths that must work without a session.
/// </summary>
internal sealed class AccessGate(RequestDelegate next, IOptions<AccessOptions> options)
{
    /// <summary>Paths a visitor may use on a private farm: signing in, webhooks, the binary cache, the workers' protocol.</summary>
    private static readonly string[] PublicPrefixes =
    [
        "/login", "/logout", "/api/push", "/api/push-github", "/api/push-gitea", "/api/push-gitlab", "/api/webhook", WorkerProtocol.CachePath, "/api/worker/", "/health", "/css/", "/favicon.ico", "/favicon.svg",
    ];

    public Task InvokeAsync(HttpContext http)
    {
        var user = http.User;
        if (ApiTokenAuthenticationHandler.Token(http.Request) is not null && !ApiTokenAuthenticationHandler.IsTokenUser(user))
        {
            return RefuseAsync(http, StatusCodes.Status401Unauthorized, "Unknown or revoked API token.");
        }
        if (!options.Value.Private || user.Identity?.IsAuthenticated == true || IsPublic(http.Request.Path))
        {
            return next(http);
        }
        if (HttpMethods.IsGet(http.Request.Method) && !Negotiation.WantsJson(http.Request))
        {
            var returnUrl = http.Request.Path + http.Request.QueryString;
            http.Response.Redirect($"/login?returnUrl={Uri.EscapeDataString(returnUrl)}");
            return Task.CompletedTask;
        }
        return RefuseAsync(http, StatusCodes.Status401Unauthorized, "This Hydra is private: sign in, or send a personal API token (Authorization: Bearer).");
    }

    public static bool IsPublic(PathString path)
    {
        var value = path.Value ?? "/";
        foreach (var prefix in PublicPrefixes)
        {
            // "/login" covers "/login" and "/login/github", not "/loginx"; prefixes ending in '/' match what is under them.
            if (value.StartsWith(prefix, StringComparison.OrdinalIgnoreCase)
                && (prefix.EndsWith('/') || prefix == "/api/webhook" || value.Length == prefix.Length || value[prefix.Length] == '/'))
            {
                return true;
            }
        }
        return false;
    }

    private static Task RefuseAsync(HttpContext http, int status, string message)
    {
        http.Response.StatusCode = status;
        return http.Response.WriteAsJsonAsync(new ErrorJson(message), HydraJson.Options);
    }
}
