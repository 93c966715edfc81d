namespace Hydra.Web.Auth;

/// <summary>
/// Hydra's XSRF rule: a state-changing request must carry an <c>Origin</c> or <c>Referer</c> naming
/// this server. Only the authority (host and port) is compared, because behind a TLS-terminating
/// proxy the request scheme seen here differs from the browser's. Requests signed in by a personal API
/// token pass: a browser never sends that header on its own.
/// </summary>
internal static class SameOrigin
{
    public static bool IsSameOrigin(HttpRequest request)
    {
        // A personal API token is never sent by a browser on its own, so a request it signed in cannot be forged.
        if (ApiTokenAuthenticationHandler.IsTokenUser(request.HttpContext.User))
        {
            return true;
        }
        var origin = request.Headers.Origin.ToString();
        if (string.IsNullOrEmpty(origin) || origin == "null")
        {
            origin = request.Headers.Referer.ToString();
        }
        if (!Uri.TryCreate(origin, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https"))
        {
            return false;
        }
        return string.Equals(uri.Authority, request.Host.Value, StringComparison.OrdinalIgnoreCase);
    }
}
