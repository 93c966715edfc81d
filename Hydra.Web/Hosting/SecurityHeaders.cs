namespace Hydra.Web.Hosting;

/// <summary>
/// Headers on every response: a strict Content-Security-Policy (scripts, styles and images from this
/// server only; no inline script or style, no plugins, no framing), <c>nosniff</c> and a same-origin
/// referrer policy. Endpoints that serve untrusted files replace the policy with <see cref="Sandbox"/>.
/// </summary>
internal sealed class SecurityHeaders(RequestDelegate next)
{
    public const string Policy =
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; connect-src 'self'; "
        + "form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

    /// <summary>For files built by jobs: no script runs, no same-origin access, as if in a sandboxed frame.</summary>
    public const string Sandbox = "sandbox; default-src 'none'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; frame-ancestors 'none'";

    public Task InvokeAsync(HttpContext http)
    {
        var headers = http.Response.Headers;
        headers.ContentSecurityPolicy = Policy;
        headers.XContentTypeOptions = "nosniff";
        headers.XFrameOptions = "DENY";
        headers["Referrer-Policy"] = "same-origin";
        return next(http);
    }
}
