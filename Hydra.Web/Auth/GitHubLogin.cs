using System.Net.Http.Headers;
using System.Security.Claims;
using System.Text.Json;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Authentication.OAuth;

namespace Hydra.Web.Auth;

/// <summary>
/// Optional GitHub sign-in (Hydra's <c>github_client_id</c>): ASP.NET Core's OAuth code flow with the
/// <c>user:email</c> scope. As in Hydra, the account's primary verified email becomes the user name; a
/// user signing in for the first time is created without roles and without a password.
/// </summary>
internal static partial class GitHubLogin
{
    public const string Scheme = "GitHub";
    public const string StartPath = "/login/github";
    public const string CallbackPath = "/login/github/callback";

    /// <summary>The reason shown on the sign-in form (<c>/login?error=github</c>); GitHub's own text is not echoed.</summary>
    public const string FailureMessage = "GitHub sign-in failed. The GitHub account needs a verified primary email address; try again.";

    public static AuthenticationBuilder AddGitHubLogin(this AuthenticationBuilder authentication, AccessOptions access)
    {
        if (!access.GitHubEnabled)
        {
            return authentication;
        }
        return authentication.AddOAuth(Scheme, "GitHub", options =>
        {
            options.ClientId = access.GitHubClientId!;
            options.ClientSecret = access.GitHubClientSecret!;
            options.AuthorizationEndpoint = access.GitHubAuthorizeUrl;
            options.TokenEndpoint = access.GitHubTokenUrl;
            options.UserInformationEndpoint = access.GitHubApiUrl.TrimEnd('/') + "/user/emails";
            options.CallbackPath = CallbackPath;
            options.Scope.Add("user:email");
            options.SignInScheme = CookieAuthenticationDefaults.AuthenticationScheme;
            // Lax, not None: the callback is a top-level GET, and a SameSite=None cookie needs HTTPS; behind a
            // TLS-terminating proxy the request scheme decides, as for the session cookie.
            options.CorrelationCookie.SameSite = SameSiteMode.Lax;
            options.CorrelationCookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
            options.Events.OnCreatingTicket = CreatingTicketAsync;
            options.Events.OnRemoteFailure = context =>
            {
                LogFailed(context.HttpContext.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(GitHubLogin)),
                    context.Failure?.Message ?? "unknown");
                context.Response.Redirect("/login?error=github");
                context.HandleResponse();
                return Task.CompletedTask;
            };
        });
    }

    /// <summary><c>GET /login/github?returnUrl=</c>: off to GitHub, back to <paramref name="returnUrl"/> (local paths only).</summary>
    public static RouteGroupBuilder MapGitHubLogin(this RouteGroupBuilder routes, AccessOptions access)
    {
        if (access.GitHubEnabled)
        {
            routes.MapGet(StartPath, (string? returnUrl) => Results.Challenge(
                new AuthenticationProperties { RedirectUri = AuthEndpoints.IsLocal(returnUrl) ? returnUrl : "/" }, [Scheme]));
        }
        return routes;
    }

    private static async Task CreatingTicketAsync(OAuthCreatingTicketContext context)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, context.Options.UserInformationEndpoint);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", context.AccessToken);
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/vnd.github+json"));
        request.Headers.UserAgent.Add(new ProductInfoHeaderValue("hydra-dotnet", "1"));
        using var response = await context.Backchannel.SendAsync(request, context.HttpContext.RequestAborted);
        response.EnsureSuccessStatusCode();
        using var emails = await JsonDocument.ParseAsync(
            await response.Content.ReadAsStreamAsync(context.HttpContext.RequestAborted), cancellationToken: context.HttpContext.RequestAborted);
        var email = emails.RootElement.ValueKind != JsonValueKind.Array ? null : emails.RootElement.EnumerateArray()
            .Where(e => e.TryGetProperty("primary", out var primary) && primary.ValueKind == JsonValueKind.True
                && e.TryGetProperty("verified", out var verified) && verified.ValueKind == JsonValueKind.True)
            .Select(e => e.TryGetProperty("email", out var address) ? address.GetString() : null)
            .FirstOrDefault(e => !string.IsNullOrEmpty(e));
        if (email is null)
        {
            // Not context.Fail(): the OAuth handler ignores it and would sign in a nameless principal. A throw here
            // ends in OnRemoteFailure.
            throw new AuthenticationFailureException("The GitHub account has no verified primary email address.");
        }
        var users = context.HttpContext.RequestServices.GetRequiredService<UserService>();
        var user = await users.FindOrCreateExternalAsync(email, context.HttpContext.RequestAborted);
        context.Principal = UserService.CreatePrincipal(user);
    }

    [LoggerMessage(EventId = 3201, Level = LogLevel.Warning, Message = "GitHub sign-in failed: {Reason}")]
    private static partial void LogFailed(ILogger logger, string reason);
}
