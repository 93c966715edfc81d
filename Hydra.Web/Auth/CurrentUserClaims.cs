using System.Security.Claims;
using Microsoft.AspNetCore.Authentication;
using Npgsql;

namespace Hydra.Web.Auth;

/// <summary>
/// Reads a signed-in user's roles and project memberships from the database on each request (one indexed
/// query), so a role taken away or a user deleted counts at once rather than when the 7-day cookie expires.
/// A user who no longer exists or was disabled becomes a visitor.
/// </summary>
internal sealed class CurrentUserClaims(NpgsqlDataSource dataSource) : IClaimsTransformation
{
    /// <summary>Marks a principal already read, since ASP.NET Core may transform the same principal more than once.</summary>
    private const string ReadClaim = "hydra:claims-read";

    public async Task<ClaimsPrincipal> TransformAsync(ClaimsPrincipal principal)
    {
        if (principal.Identity is not { IsAuthenticated: true } identity || principal.HasClaim(c => c.Type == ReadClaim))
        {
            return principal;
        }
        if (identity.Name is not { } name)
        {
            // Signed in as nobody in particular: no rights can follow from that.
            return new ClaimsPrincipal(new ClaimsIdentity());
        }
        await using var command = dataSource.CreateCommand("""
            SELECT u.roles, ARRAY(SELECT p.name FROM project_members m JOIN projects p ON p.id = m.project_id WHERE m.user_name = u.user_name)
            FROM users u WHERE u.user_name = $1 AND u.disabled_at IS NULL
            """);
        command.Parameters.AddWithValue(name);
        await using var reader = await command.ExecuteReaderAsync();
        if (!await reader.ReadAsync())
        {
            return new ClaimsPrincipal(new ClaimsIdentity());
        }
        var claims = new List<Claim> { new(ClaimTypes.Name, name), new(ReadClaim, "") };
        claims.AddRange(reader.GetFieldValue<string[]>(0).Select(role => new Claim(ClaimTypes.Role, role)));
        claims.AddRange(reader.GetFieldValue<string[]>(1).Select(project => new Claim(ProjectRights.MemberClaim, project)));
        return new ClaimsPrincipal(new ClaimsIdentity(claims, identity.AuthenticationType));
    }
}
