using Hydra.Web.Api;

namespace Hydra.Web.Auth;

/// <summary>
/// Guards PUT/DELETE routes: the request must come from this origin (XSRF rule) and from a signed-in
/// user. Finer checks (admin, project owner) are made by the endpoint, which knows the resource.
/// </summary>
internal sealed class WriteAccessFilter : IEndpointFilter
{
    public ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var http = context.HttpContext;
        if (!SameOrigin.IsSameOrigin(http.Request))
        {
            return ValueTask.FromResult<object?>(HydraJson.Error(StatusCodes.Status403Forbidden,
                "Cross-origin write refused: send an Origin or Referer header naming this server."));
        }
        if (http.User.Identity?.IsAuthenticated != true)
        {
            return ValueTask.FromResult<object?>(HydraJson.Error(StatusCodes.Status403Forbidden,
                "This page requires you to sign in."));
        }
        return next(context);
    }
}
