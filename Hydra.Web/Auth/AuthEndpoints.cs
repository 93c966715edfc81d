using Hydra.Web.Api;
using Hydra.Web.Pages.Login;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;

namespace Hydra.Web.Auth;

/// <summary>
/// <c>/login</c>, <c>/logout</c>, <c>/current-user</c>. Forms carry an antiforgery token; JSON logins
/// (scripts, hydra-cli, the Terraform provider) instead need a same-origin Origin or Referer.
/// </summary>
internal static class AuthEndpoints
{
    private const string BadCredentials = "Bad username or password.";

    public static RouteGroupBuilder MapAuthEndpoints(this RouteGroupBuilder routes)
    {
        routes.MapGet("/login", (HttpContext http, IAntiforgery antiforgery, string? returnUrl, string? error) =>
            LoginForm(http, antiforgery, error == "github" ? GitHubLogin.FailureMessage : null, returnUrl, StatusCodes.Status200OK));
        routes.MapPost("/login", LoginAsync);
        routes.MapPost("/logout", LogoutAsync).DisableAntiforgery();
        routes.MapGet("/current-user", CurrentUserAsync);
        return routes;
    }

    private static async Task<IResult> LoginAsync(
        HttpContext http, UserService users, IAntiforgery antiforgery, CancellationToken cancellationToken)
    {
        var isJson = Negotiation.HasJsonBody(http.Request);
        if (isJson && !SameOrigin.IsSameOrigin(http.Request))
        {
            return HydraJson.Error(StatusCodes.Status403Forbidden, "Login refused: send an Origin or Referer header naming this server.");
        }
        if (!isJson)
        {
            if (!http.Request.HasFormContentType)
            {
                return HydraJson.Error(StatusCodes.Status400BadRequest, "Send JSON {\"username\", \"password\"} or the login form.");
            }
            if (!await antiforgery.IsRequestValidAsync(http))
            {
                return HydraJson.Error(StatusCodes.Status400BadRequest, "The login form expired; reload the page and try again.");
            }
        }

        var fields = await RequestFields.ReadAsync(http.Request, cancellationToken);
        var userName = fields?.GetString("username") ?? "";
        var password = fields?.GetString("password") ?? "";
        var user = userName.Length > 0 ? await users.CheckPasswordAsync(userName, password, cancellationToken) : null;
        var returnUrl = fields?.GetString("returnUrl");
        if (user is null)
        {
            return isJson
                ? HydraJson.Error(StatusCodes.Status403Forbidden, BadCredentials)
                : LoginForm(http, antiforgery, BadCredentials, returnUrl, StatusCodes.Status403Forbidden);
        }

        await http.SignInAsync(UserService.CreatePrincipal(user));
        return isJson ? HydraJson.Ok(UserJson.From(user)) : Results.Redirect(IsLocal(returnUrl) ? returnUrl! : "/");
    }

    private static async Task<IResult> LogoutAsync(HttpContext http, IAntiforgery antiforgery)
    {
        if (PostActions.IsForm(http.Request) ? !await antiforgery.IsRequestValidAsync(http) : !SameOrigin.IsSameOrigin(http.Request))
        {
            return HydraJson.Error(StatusCodes.Status403Forbidden, "Logout refused: use the Sign out button, or send an Origin or Referer header naming this server.");
        }
        await http.SignOutAsync();
        return Negotiation.WantsJson(http.Request) ? HydraJson.Ok(new { redirect = "/" }) : Results.Redirect("/");
    }

    private static async Task<IResult> CurrentUserAsync(HttpContext http, UserService users, CancellationToken cancellationToken)
    {
        var name = http.User.Identity?.IsAuthenticated == true ? http.User.Identity.Name : null;
        var user = name is null ? null : await users.FindAsync(name, cancellationToken);
        return user is null
            ? HydraJson.Error(StatusCodes.Status401Unauthorized, "Not signed in.")
            : HydraJson.Ok(UserJson.From(user));
    }

    private static RazorComponentResult<LoginPage> LoginForm(
        HttpContext http, IAntiforgery antiforgery, string? error, string? returnUrl, int statusCode)
    {
        var tokens = antiforgery.GetAndStoreTokens(http);
        return new RazorComponentResult<LoginPage>(new
        {
            TokenFieldName = tokens.FormFieldName,
            Token = tokens.RequestToken ?? "",
            Error = error,
            ReturnUrl = IsLocal(returnUrl) ? returnUrl : null,
            GitHub = http.RequestServices.GetRequiredService<IOptions<AccessOptions>>().Value.GitHubEnabled,
        })
        { StatusCode = statusCode };
    }

    /// <summary>Only same-site paths, so the login form cannot be used as an open redirect.</summary>
    public static bool IsLocal(string? url) =>
        !string.IsNullOrEmpty(url) && url[0] == '/' && (url.Length == 1 || (url[1] != '/' && url[1] != '\\'));
}
