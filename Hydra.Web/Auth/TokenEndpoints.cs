using Hydra.Web.Api;
using Hydra.Web.Pages.Tokens;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Hydra.Web.Auth;

/// <summary>
/// A signed-in user's personal API tokens: <c>GET /user/tokens</c> (page or JSON list), <c>POST /user/tokens</c>
/// (create; the token is in the answer, the only time it is shown) and <c>POST /user/tokens/{id}/revoke</c>.
/// Forms carry the antiforgery token; JSON clients follow <see cref="PostActions"/>' same-origin rule.
/// </summary>
internal static class TokenEndpoints
{
    private const string PageUrl = "/user/tokens";

    public static RouteGroupBuilder MapTokenEndpoints(this RouteGroupBuilder routes)
    {
        routes.MapGet(PageUrl, ListAsync);
        // Antiforgery tokens are checked by PostActions, after the sign-in check, so a refusal says why.
        routes.MapPost(PageUrl, CreateAsync).DisableAntiforgery();
        routes.MapPost($"{PageUrl}/{{id:long}}/revoke", RevokeAsync).DisableAntiforgery();
        return routes;
    }

    private static async Task<IResult> ListAsync(HttpContext http, ApiTokens tokens, CancellationToken cancellationToken)
    {
        if (UserName(http) is not { } user)
        {
            return Negotiation.WantsJson(http.Request)
                ? HydraJson.Error(StatusCodes.Status401Unauthorized, "Sign in to manage your API tokens.")
                : Results.Redirect($"/login?returnUrl={Uri.EscapeDataString(PageUrl)}");
        }
        var list = await tokens.ListAsync(user, cancellationToken);
        return Negotiation.WantsJson(http.Request)
            ? HydraJson.Ok(list.Select(t => new { t.Id, t.Description, created = HydraJson.Unix(t.CreatedAt), lastused = HydraJson.Unix(t.LastUsedAt) }))
            : new RazorComponentResult<ApiTokensPage>(new { Tokens = list });
    }

    private static async Task<IResult> CreateAsync(HttpContext http, ApiTokens tokens, IAntiforgery antiforgery, CancellationToken cancellationToken)
    {
        var user = UserName(http);
        var refusal = await PostActions.CheckAsync(http, antiforgery, user is not null, "", "create API tokens", PageUrl);
        if (refusal is not null)
        {
            return refusal;
        }
        var fields = await RequestFields.ReadAsync(http.Request, cancellationToken);
        var description = fields?.GetString("description") ?? "";
        if (description.Length > 200)
        {
            return PostActions.Refuse(http.Request, StatusCodes.Status400BadRequest, "Too long", "Keep the description under 200 characters.", PageUrl);
        }
        var (id, token) = await tokens.CreateAsync(user!, description, cancellationToken);
        if (!PostActions.IsForm(http.Request))
        {
            return HydraJson.Status(new { id, token }, StatusCodes.Status201Created);
        }
        // The page that shows the token must not be kept by any cache or the browser's history.
        http.Response.Headers.CacheControl = "no-store";
        return new RazorComponentResult<ApiTokensPage>(new { Tokens = await tokens.ListAsync(user!, cancellationToken), NewToken = token });
    }

    private static async Task<IResult> RevokeAsync(long id, HttpContext http, ApiTokens tokens, IAntiforgery antiforgery, CancellationToken cancellationToken)
    {
        var user = UserName(http);
        var refusal = await PostActions.CheckAsync(http, antiforgery, user is not null, "", "revoke API tokens", PageUrl);
        if (refusal is not null)
        {
            return refusal;
        }
        return await tokens.RevokeAsync(user!, id, cancellationToken)
            ? PostActions.Done(http.Request, HydraJson.Ok(new { revoked = id }), PageUrl)
            : PostActions.Refuse(http.Request, StatusCodes.Status404NotFound, "Not found", $"You have no token {id}.", PageUrl);
    }

    private static string? UserName(HttpContext http) => http.User.Identity is { IsAuthenticated: true, Name: { } name } ? name : null;
}
