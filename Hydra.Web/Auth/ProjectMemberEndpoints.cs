using Hydra.Web.Api;
using Npgsql;

namespace Hydra.Web.Auth;

/// <summary>
/// A project's members (Hydra's ProjectMembers): <c>GET /project/{p}/members</c> lists them,
/// <c>PUT</c> and <c>DELETE /project/{p}/members/{user}</c> add and remove one. Members administer the
/// project as its owner does (<see cref="ProjectRights"/>); only the owner and admins change who they are.
/// </summary>
internal static class ProjectMemberEndpoints
{
    public static RouteGroupBuilder MapProjectMemberEndpoints(this RouteGroupBuilder routes)
    {
        routes.MapGet("/project/{project}/members", ListAsync);
        routes.MapPut("/project/{project}/members/{user}", (string project, string user, HttpContext http, NpgsqlDataSource db, CancellationToken ct) =>
            ChangeAsync(project, user, add: true, http, db, ct)).AddEndpointFilter<WriteAccessFilter>().DisableAntiforgery();
        routes.MapDelete("/project/{project}/members/{user}", (string project, string user, HttpContext http, NpgsqlDataSource db, CancellationToken ct) =>
            ChangeAsync(project, user, add: false, http, db, ct)).AddEndpointFilter<WriteAccessFilter>().DisableAntiforgery();
        return routes;
    }

    private static async Task<IResult> ListAsync(string project, NpgsqlDataSource db, CancellationToken cancellationToken)
    {
        await using var command = db.CreateCommand("""
            SELECT ARRAY(SELECT m.user_name FROM project_members m WHERE m.project_id = p.id ORDER BY m.user_name) FROM projects p WHERE p.name = $1
            """);
        command.Parameters.AddWithValue(project);
        return await command.ExecuteScalarAsync(cancellationToken) is string[] members
            ? HydraJson.Ok(members)
            : HydraJson.NotFound($"Project '{project}' doesn't exist.");
    }

    internal static async Task<IResult> ChangeAsync(string project, string user, bool add, HttpContext http, NpgsqlDataSource db, CancellationToken cancellationToken)
    {
        await using var owner = db.CreateCommand("SELECT owner FROM projects WHERE name = $1");
        owner.Parameters.AddWithValue(project);
        if (await owner.ExecuteScalarAsync(cancellationToken) is not string ownerName)
        {
            return HydraJson.NotFound($"Project '{project}' doesn't exist.");
        }
        if (!http.User.IsInRole(HydraRoles.Admin) && http.User.Identity?.Name != ownerName)
        {
            return HydraJson.Error(StatusCodes.Status403Forbidden, $"Only the owner of '{project}' or an admin may change its members.");
        }
        await using var command = db.CreateCommand(add
            ? "INSERT INTO project_members (project_id, user_name) SELECT p.id, u.user_name FROM projects p, users u WHERE p.name = $1 AND u.user_name = $2 ON CONFLICT DO NOTHING RETURNING 1"
            : "DELETE FROM project_members m USING projects p WHERE p.id = m.project_id AND p.name = $1 AND m.user_name = $2 RETURNING 1");
        command.Parameters.AddWithValue(project);
        command.Parameters.AddWithValue(user);
        var changed = await command.ExecuteScalarAsync(cancellationToken) is not null;
        if (add && !changed)
        {
            await using var exists = db.CreateCommand("SELECT 1 FROM users WHERE user_name = $1");
            exists.Parameters.AddWithValue(user);
            if (await exists.ExecuteScalarAsync(cancellationToken) is null)
            {
                return HydraJson.Error(StatusCodes.Status400BadRequest, $"Unknown user '{user}'.");
            }
        }
        return HydraJson.Ok(new { project, user, member = add, changed });
    }
}
