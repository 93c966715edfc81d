using System.Text.Json;
using Hydra.Web.Auth;
using Hydra.Web.Pages.Admin;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Http.HttpResults;
using Npgsql;

namespace Hydra.Web.Api.Admin;

/// <summary>
/// Users for admins: <c>GET /admin/users</c> (page or JSON), <c>POST /admin/users</c> (create),
/// <c>POST /admin/users/{user}/roles</c> (exactly the roles sent), <c>.../disable</c> and <c>.../enable</c>. Forms carry
/// the antiforgery token; scripts follow <see cref="PostActions"/>' same-origin rule. An admin cannot disable
/// themselves or drop their own admin role, so the last admin cannot lock everyone out by a slip.
/// </summary>
internal static class AdminUserEndpoints
{
    private const string PageUrl = "/admin/users";

    public static RouteGroupBuilder MapAdminUserEndpoints(this RouteGroupBuilder routes)
    {
        routes.MapGet(PageUrl, ListAsync);
        routes.MapPost(PageUrl, CreateAsync).DisableAntiforgery();
        routes.MapPost($"{PageUrl}/{{user}}/roles", SetRolesAsync).DisableAntiforgery();
        routes.MapPost($"{PageUrl}/{{user}}/disable", (string user, HttpContext http, UserService users, IAntiforgery antiforgery, CancellationToken ct) =>
            SetDisabledAsync(user, true, http, users, antiforgery, ct)).DisableAntiforgery();
        routes.MapPost($"{PageUrl}/{{user}}/enable", (string user, HttpContext http, UserService users, IAntiforgery antiforgery, CancellationToken ct) =>
            SetDisabledAsync(user, false, http, users, antiforgery, ct)).DisableAntiforgery();
        return routes;
    }

    private static async Task<IResult> ListAsync(string? after, HttpContext http, NpgsqlDataSource db, CancellationToken cancellationToken)
    {
        if (AdminAccess.Gate(http, PageUrl) is { } refusal)
        {
            return refusal;
        }
        var (users, nextAfter) = await AdminUsersQuery.LoadAsync(db, after, cancellationToken);
        return Negotiation.WantsJson(http.Request)
            ? HydraJson.Ok(new
            {
                users = users.Select(u => new
                {
                    username = u.UserName, fullname = u.FullName, emailaddress = u.EmailAddress, userroles = u.Roles,
                    created = HydraJson.Unix(u.CreatedAt), disabled = HydraJson.Unix(u.DisabledAt),
                }),
                next = nextAfter,
            })
            : Page(users, after, nextAfter, null, null, StatusCodes.Status200OK);
    }

    private static async Task<IResult> CreateAsync(
        HttpContext http, UserService users, NpgsqlDataSource db, IAntiforgery antiforgery, CancellationToken cancellationToken)
    {
        if (await CheckAsync(http, antiforgery, "create users") is { } refusal)
        {
            return refusal;
        }
        var fields = await RequestFields.ReadAsync(http.Request, cancellationToken);
        var values = new Dictionary<string, string>
        {
            ["username"] = fields?.GetString("username")?.Trim() ?? "",
            ["fullname"] = fields?.GetString("fullname") ?? "",
            ["email"] = fields?.GetString("email") ?? "",
            ["roles"] = string.Join(',', Roles(fields)),
        };
        var name = values["username"];
        string? error = null;
        var status = StatusCodes.Status400BadRequest;
        if (await users.FindAsync(name, cancellationToken) is not null)
        {
            (error, status) = ($"A user named '{name}' already exists; change their roles in the list.", StatusCodes.Status409Conflict);
        }
        else
        {
            try
            {
                await users.SaveAsync(new UserChange(name)
                {
                    Password = fields?.GetString("password") ?? "",
                    FullName = values["fullname"],
                    EmailAddress = values["email"],
                    Roles = Roles(fields),
                    WipeRoles = true,
                }, cancellationToken);
            }
            catch (ArgumentException e)
            {
                // UserService's checks: the name's characters, known roles, a password.
                error = e.ParamName is null ? e.Message : e.Message.Replace($" (Parameter '{e.ParamName}')", "", StringComparison.Ordinal);
            }
        }
        if (error is null)
        {
            return PostActions.Done(http.Request, HydraJson.Status(new { username = name, userroles = Roles(fields) }, StatusCodes.Status201Created), PageUrl);
        }
        if (!PostActions.IsForm(http.Request))
        {
            return HydraJson.Error(status, error);
        }
        var (list, nextAfter) = await AdminUsersQuery.LoadAsync(db, null, cancellationToken);
        return Page(list, null, nextAfter, error, values, status);
    }

    private static async Task<IResult> SetRolesAsync(
        string user, HttpContext http, UserService users, IAntiforgery antiforgery, CancellationToken cancellationToken)
    {
        if (await CheckAsync(http, antiforgery, "change roles") is { } refusal)
        {
            return refusal;
        }
        var roles = Roles(await RequestFields.ReadAsync(http.Request, cancellationToken));
        if (roles.FirstOrDefault(r => !HydraRoles.All.Contains(r)) is { } unknown)
        {
            return PostActions.Refuse(http.Request, StatusCodes.Status400BadRequest, "Unknown role",
                $"Unknown role '{unknown}'; known roles: {string.Join(", ", HydraRoles.All)}.", PageUrl);
        }
        if (user == http.User.Identity?.Name && !roles.Contains(HydraRoles.Admin))
        {
            return PostActions.Refuse(http.Request, StatusCodes.Status409Conflict, "Not allowed",
                "You cannot take the admin role from yourself; another admin can.", PageUrl);
        }
        if (await users.FindAsync(user, cancellationToken) is null)
        {
            return PostActions.Refuse(http.Request, StatusCodes.Status404NotFound, "Not found", $"There is no user '{user}'.", PageUrl);
        }
        await users.SaveAsync(new UserChange(user) { Roles = roles, WipeRoles = true }, cancellationToken);
        return PostActions.Done(http.Request, HydraJson.Ok(new { username = user, userroles = roles }), PageUrl);
    }

    private static async Task<IResult> SetDisabledAsync(
        string user, bool disabled, HttpContext http, UserService users, IAntiforgery antiforgery, CancellationToken cancellationToken)
    {
        if (await CheckAsync(http, antiforgery, disabled ? "disable users" : "enable users") is { } refusal)
        {
            return refusal;
        }
        if (disabled && user == http.User.Identity?.Name)
        {
            return PostActions.Refuse(http.Request, StatusCodes.Status409Conflict, "Not allowed", "You cannot disable yourself; another admin can.", PageUrl);
        }
        return await users.SetDisabledAsync(user, disabled, cancellationToken)
            ? PostActions.Done(http.Request, HydraJson.Ok(new { username = user, disabled }), PageUrl)
            : PostActions.Refuse(http.Request, StatusCodes.Status404NotFound, "Not found", $"There is no user '{user}'.", PageUrl);
    }

    private static Task<IResult?> CheckAsync(HttpContext http, IAntiforgery antiforgery, string what) =>
        PostActions.CheckAsync(http, antiforgery, AdminAccess.IsAdmin(http), $"Only admins may {what}.", what, PageUrl);

    /// <summary>The roles sent: the checked boxes of a form (comma-joined by the form reader) or a JSON list or string.</summary>
    private static List<string> Roles(RequestFields? fields)
    {
        var text = fields?.GetString("roles") ?? "";
        List<string?> items = [.. text.Split(',')];
        if (text.TrimStart().StartsWith('['))
        {
            try
            {
                items = JsonSerializer.Deserialize<List<string?>>(text) ?? [];
            }
            catch (JsonException)
            {
                // Not a list of names: kept as one unknown role, which the caller refuses with the known ones.
                items = [text];
            }
        }
        return [.. items.OfType<string>().Select(r => r.Trim()).Where(r => r.Length > 0).Distinct()];
    }

    private static RazorComponentResult<AdminUsersPage> Page(
        IReadOnlyList<AdminUser> users, string? after, string? nextAfter, string? error, IReadOnlyDictionary<string, string>? values, int status) =>
        new(new { Users = users, After = after, NextAfter = nextAfter, Error = error, Values = values ?? new Dictionary<string, string>() }) { StatusCode = status };
}
