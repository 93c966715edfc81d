using Hydra.Web.Api;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;

namespace Hydra.Web.Auth;

/// <summary>Cookie sign-in for local users, personal API tokens and the <see cref="UserService"/>.</summary>
internal static class HydraAuthExtensions
{
    public const string CookieName = "hydra_session";

    /// <summary>The default scheme: a personal API token when the request carries one, else the session cookie.</summary>
    private const string SelectorScheme = "Hydra";

    public static IHostApplicationBuilder AddHydraAuth(this IHostApplicationBuilder builder)
    {
        builder.Services.AddScoped<UserService>();
        builder.Services.AddSingleton<ApiTokens>();
        builder.Services.AddScoped<IClaimsTransformation, CurrentUserClaims>();
        builder.Services.AddOptions<AccessOptions>().BindConfiguration(AccessOptions.Section);
        builder.Services.AddAuthorization();
        var access = builder.Configuration.GetSection(AccessOptions.Section).Get<AccessOptions>() ?? new AccessOptions();
        builder.Services.AddAuthentication(SelectorScheme)
            .AddGitHubLogin(access)
            .AddPolicyScheme(SelectorScheme, "Session cookie or API token", options =>
                options.ForwardDefaultSelector = context => ApiTokenAuthenticationHandler.Token(context.Request) is null
                    ? CookieAuthenticationDefaults.AuthenticationScheme
                    : ApiTokenAuthenticationHandler.SchemeName)
            .AddScheme<AuthenticationSchemeOptions, ApiTokenAuthenticationHandler>(ApiTokenAuthenticationHandler.SchemeName, null)
            .AddCookie(options =>
            {
                options.Cookie.Name = CookieName;
                options.Cookie.HttpOnly = true;
                options.Cookie.SameSite = SameSiteMode.Lax;
                options.Cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
                options.ExpireTimeSpan = TimeSpan.FromDays(7);
                options.SlidingExpiration = true;
                options.LoginPath = "/login";
                options.LogoutPath = "/logout";
                // API clients get Hydra's error JSON instead of a redirect to the login form.
                options.Events.OnRedirectToLogin = context => RespondAsync(context, StatusCodes.Status401Unauthorized, "This page requires you to sign in.");
                options.Events.OnRedirectToAccessDenied = context => RespondAsync(context, StatusCodes.Status403Forbidden, "Access denied.");
            });
        return builder;
    }

    private static Task RespondAsync(Microsoft.AspNetCore.Authentication.RedirectContext<CookieAuthenticationOptions> context, int status, string message)
    {
        if (!Negotiation.WantsJson(context.Request))
        {
            context.Response.Redirect(context.RedirectUri);
            return Task.CompletedTask;
        }
        context.Response.StatusCode = status;
        return context.Response.WriteAsJsonAsync(new ErrorJson(message), HydraJson.Options);
    }
}
