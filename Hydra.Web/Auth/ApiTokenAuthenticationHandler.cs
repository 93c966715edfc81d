using System.Net.Http.Headers;
using System.Security.Claims;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;

namespace Hydra.Web.Auth;

/// <summary>
/// Signs in requests that carry <c>Authorization: Bearer hydra_pat_...</c> (see <see cref="ApiTokens"/>).
/// Other bearer tokens (workers') are left alone without a lookup. A browser never sends this header by
/// itself, so requests signed in this way need no antiforgery token or same-origin header.
/// </summary>
internal sealed class ApiTokenAuthenticationHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory logger, UrlEncoder encoder, ApiTokens tokens)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    public const string SchemeName = "HydraApiToken";

    /// <summary>The personal token in the request, if any.</summary>
    public static string? Token(HttpRequest request) =>
        AuthenticationHeaderValue.TryParse(request.Headers.Authorization.ToString(), out var header)
        && header.Scheme.Equals("Bearer", StringComparison.OrdinalIgnoreCase)
        && header.Parameter?.Trim() is { } token && token.StartsWith(ApiTokens.Prefix, StringComparison.Ordinal)
            ? token
            : null;

    /// <summary>Whether the request's user was signed in by a personal token.</summary>
    public static bool IsTokenUser(ClaimsPrincipal user) => user.Identity is { IsAuthenticated: true, AuthenticationType: SchemeName };

    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        if (Token(Request) is not { } token)
        {
            return AuthenticateResult.NoResult();
        }
        var owner = await tokens.AuthenticateAsync(token, Context.RequestAborted);
        if (owner is null)
        {
            return AuthenticateResult.Fail("Unknown or revoked API token.");
        }
        var claims = new List<Claim> { new(ClaimTypes.Name, owner.UserName) };
        claims.AddRange(owner.Roles.Select(role => new Claim(ClaimTypes.Role, role)));
        var principal = new ClaimsPrincipal(new ClaimsIdentity(claims, SchemeName));
        return AuthenticateResult.Success(new AuthenticationTicket(principal, SchemeName));
    }

    protected override async Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        Response.StatusCode = StatusCodes.Status401Unauthorized;
        Response.Headers.WWWAuthenticate = "Bearer";
        await Response.WriteAsJsonAsync(new Api.ErrorJson("Unknown or revoked API token."), Api.HydraJson.Options);
    }
}
