using Hydra.Queue.Workers;

namespace Hydra.Web.Cache;

/// <summary>
/// Authenticates cache uploads by a worker token sent as the HTTP Basic password (Nix reads it from
/// a netrc file: <c>machine HOST login worker password TOKEN</c>); a Bearer token works too.
/// curl sends netrc credentials only after a challenge, so refusals carry <c>WWW-Authenticate: Basic</c>.
/// </summary>
public sealed class CacheUploadAuthFilter(WorkerTokens tokens) : IEndpointFilter
{
    public const string Realm = "hydra-cache";
    private const string ItemKey = "hydra.cache.worker";

    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var http = context.HttpContext;
        var worker = await tokens.AuthenticateAsync(CacheCredentials.Token(http.Request), http.RequestAborted);
        if (worker is null)
        {
            http.Response.Headers.WWWAuthenticate = $"Basic realm=\"{Realm}\"";
            return Results.Text(
                "Uploading to the cache needs a worker token as the Basic password (netrc: machine HOST login worker password TOKEN).\n",
                "text/plain", statusCode: StatusCodes.Status401Unauthorized);
        }

        http.Items[ItemKey] = worker;
        return await next(context);
    }

    /// <summary>The worker an upload was authenticated as.</summary>
    public static WorkerIdentity Worker(HttpContext context) => (WorkerIdentity)context.Items[ItemKey]!;
}
