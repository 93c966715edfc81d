using Hydra.Queue.Workers;
using Microsoft.AspNetCore.Http;

namespace Hydra.Queue.Api;

/// <summary>Authenticates worker-protocol calls by their Bearer token; 401 otherwise.</summary>
public sealed class WorkerAuthFilter(WorkerTokens tokens) : IEndpointFilter
{
    public const string ItemKey = "hydra.worker";

    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var http = context.HttpContext;
        var header = http.Request.Headers.Authorization.ToString();
        var token = header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) ? header[7..].Trim() : null;
        var worker = await tokens.AuthenticateAsync(token, http.RequestAborted);
        if (worker is null)
        {
            return Results.Problem(
                title: "Unknown or missing worker token",
                detail: "Send 'Authorization: Bearer <token>'; create a token with 'hydra-server create-worker NAME'.",
                statusCode: StatusCodes.Status401Unauthorized);
        }
        http.Items[ItemKey] = worker;
        return await next(context);
    }

    public static WorkerIdentity Worker(HttpContext context) => (WorkerIdentity)context.Items[ItemKey]!;
}
