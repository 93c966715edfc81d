namespace Hydra.Web.Api;

/// <summary>Adds <c>Vary: Accept</c>: the same URL serves HTML or JSON (Hydra's negotiation rule).</summary>
internal sealed class VaryAcceptFilter : IEndpointFilter
{
    public ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        context.HttpContext.Response.Headers.Append("Vary", "Accept");
        return next(context);
    }
}
