using Hydra.Core.Data;
using Hydra.Core.Data.Entities;
using Hydra.Evaluator.Jobsets;
using Hydra.Web.Api;
using Hydra.Web.Api.Projects;
using Hydra.Web.Auth;
using Hydra.Web.Pages.Shared;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Npgsql;

namespace Hydra.Web.Pages.Projects;

/// <summary>
/// The project's forms: <c>/project/{p}/edit</c> (settings and members), <c>POST /project/{p}/members</c> and
/// <c>.../members/{user}/remove</c>, and <c>/project/{p}/delete</c> (with confirmation). Each post is checked like
/// every action (<see cref="PostActions"/>) and saved by the API's code (PUT, DELETE, the members endpoints).
/// </summary>
internal static class ProjectFormEndpoints
{
    private const int MembersPageSize = 50;

    public static RouteGroupBuilder MapProjectFormEndpoints(this RouteGroupBuilder routes)
    {
        routes.MapGet("/project/{project}/edit", EditFormAsync);
        routes.MapPost("/project/{project}/edit", SaveAsync).DisableAntiforgery();
        routes.MapPost("/project/{project}/members", (string project, HttpContext http, NpgsqlDataSource db, IAntiforgery antiforgery, CancellationToken ct) =>
            ChangeMemberAsync(project, null, http, db, antiforgery, ct)).DisableAntiforgery();
        routes.MapPost("/project/{project}/members/{user}/remove", (string project, string user, HttpContext http, NpgsqlDataSource db, IAntiforgery antiforgery, CancellationToken ct) =>
            ChangeMemberAsync(project, user, http, db, antiforgery, ct)).DisableAntiforgery();
        routes.MapGet("/project/{project}/delete", DeleteFormAsync);
        routes.MapPost("/project/{project}/delete", DeleteAsync).DisableAntiforgery();
        return routes;
    }

    private static async Task<IResult> EditFormAsync(string project, string? members, HttpContext http, HydraDbContext db, CancellationToken cancellationToken)
    {
        var entity = await db.Projects.AsNoTracking().SingleOrDefaultAsync(p => p.Name == project, cancellationToken);
        if (Gate(http, project, entity?.Owner, $"/project/{project}/edit") is { } refusal)
        {
            return refusal;
        }
        return await FormAsync(db, http, entity!, Values(entity!), members, null, StatusCodes.Status200OK, cancellationToken);
    }

    private static async Task<IResult> SaveAsync(
        string project, HttpContext http, HydraDbContext db, JobsetTrigger trigger, TimeProvider timeProvider, IAntiforgery antiforgery, CancellationToken cancellationToken)
    {
        var entity = await db.Projects.AsNoTracking().SingleOrDefaultAsync(p => p.Name == project, cancellationToken);
        if (entity is null)
        {
            return NotFoundPage.Result($"Project '{project}' doesn't exist.");
        }
        var formUrl = $"/project/{project}/edit";
        if (await PostActions.CheckAsync(http, antiforgery, ProjectRights.Administers(http.User, project, entity.Owner), Right(project), "edit projects", formUrl) is { } refusal)
        {
            return refusal;
        }
        var fields = (await RequestFields.ReadAsync(http.Request, cancellationToken))!;
        var result = await ProjectEndpoints.SaveAsync(project, fields, http, db, trigger, timeProvider, cancellationToken);
        if (FormOutcome.Failure(result) is not (int status, string message))
        {
            return Results.Redirect($"/project/{project}");
        }
        var form = await http.Request.ReadFormAsync(cancellationToken);
        var sent = form.Where(f => !f.Key.StartsWith("__", StringComparison.Ordinal)).ToDictionary(f => f.Key, f => f.Value.ToString());
        return await FormAsync(db, http, entity, sent, null, message, status, cancellationToken);
    }

    /// <summary>Adds the user named in the form (<paramref name="remove"/> null) or removes <paramref name="remove"/>.</summary>
    private static async Task<IResult> ChangeMemberAsync(
        string project, string? remove, HttpContext http, NpgsqlDataSource db, IAntiforgery antiforgery, CancellationToken cancellationToken)
    {
        var formUrl = $"/project/{project}/edit";
        // ProjectMemberEndpoints checks the right itself (owner or admin); the form needs a signed-in user and its token.
        if (await PostActions.CheckAsync(http, antiforgery, http.User.Identity?.IsAuthenticated == true, "", "change members", formUrl) is { } refusal)
        {
            return refusal;
        }
        var user = remove ?? (await RequestFields.ReadAsync(http.Request, cancellationToken))?.GetString("user")?.Trim() ?? "";
        var result = await ProjectMemberEndpoints.ChangeAsync(project, user, remove is null, http, db, cancellationToken);
        return PostActions.IsForm(http.Request) ? FormOutcome.Of(result, formUrl, formUrl) : result;
    }

    private static async Task<IResult> DeleteFormAsync(string project, HttpContext http, HydraDbContext db, CancellationToken cancellationToken)
    {
        var owner = await OwnerAsync(db, project, cancellationToken);
        return Gate(http, project, owner, $"/project/{project}/delete") ?? ConfirmPage(project, null, StatusCodes.Status200OK);
    }

    private static async Task<IResult> DeleteAsync(string project, HttpContext http, HydraDbContext db, IAntiforgery antiforgery, CancellationToken cancellationToken)
    {
        var owner = await OwnerAsync(db, project, cancellationToken);
        if (owner is null)
        {
            return NotFoundPage.Result($"Project '{project}' doesn't exist.");
        }
        var formUrl = $"/project/{project}/delete";
        if (await PostActions.CheckAsync(http, antiforgery, ProjectRights.Administers(http.User, project, owner), Right(project), "delete projects", formUrl) is { } refusal)
        {
            return refusal;
        }
        if ((await RequestFields.ReadAsync(http.Request, cancellationToken))?.GetString("confirm")?.Trim() != project)
        {
            return ConfirmPage(project, $"Type {project} exactly to delete it; nothing was deleted.", StatusCodes.Status400BadRequest);
        }
        return FormOutcome.Of(await ProjectEndpoints.DeleteAsync(project, http, db, cancellationToken), "/", $"/project/{project}");
    }

    /// <summary>Null when the user may administer the project; otherwise the answer to send.</summary>
    internal static IResult? Gate(HttpContext http, string project, string? owner, string url) =>
        owner is null ? NotFoundPage.Result($"Project '{project}' doesn't exist.")
        : http.User.Identity?.IsAuthenticated != true ? Results.Redirect($"/login?returnUrl={Uri.EscapeDataString(url)}")
        : !ProjectRights.Administers(http.User, project, owner) ? ErrorPage.Result(StatusCodes.Status403Forbidden, "Forbidden", Right(project), $"/project/{project}")
        : null;

    private static async Task<IResult> FormAsync(
        HydraDbContext db, HttpContext http, Project project, IReadOnlyDictionary<string, string> values, string? membersAfter, string? error, int status,
        CancellationToken cancellationToken)
    {
        var members = await db.Database.SqlQuery<string>($"""
            SELECT m.user_name AS "Value" FROM project_members m
            WHERE m.project_id = {project.Id} AND ({membersAfter}::text IS NULL OR m.user_name > {membersAfter}) ORDER BY m.user_name LIMIT {MembersPageSize + 1}
            """).ToListAsync(cancellationToken);
        var isAdmin = http.User.IsInRole(HydraRoles.Admin);
        return new RazorComponentResult<EditProjectPage>(new
        {
            Project = project.Name,
            Values = values,
            Error = error,
            MayChangeOwner = isAdmin,
            MayChangeMembers = isAdmin || http.User.Identity?.Name == project.Owner,
            Members = members.Take(MembersPageSize).ToList(),
            MembersAfter = membersAfter,
            NextMembersAfter = members.Count > MembersPageSize ? members[MembersPageSize - 1] : null,
        }) { StatusCode = status };
    }

    private static Dictionary<string, string> Values(Project project)
    {
        var values = new Dictionary<string, string>
        {
            ["displayname"] = project.DisplayName, ["description"] = project.Description, ["homepage"] = project.Homepage, ["owner"] = project.Owner,
            ["declarative.file"] = project.DeclFile ?? "", ["declarative.type"] = project.DeclType ?? "", ["declarative.value"] = project.DeclValue ?? "",
        };
        if (project.Enabled)
        {
            values["enabled"] = "on";
        }
        if (!project.Hidden)
        {
            values["visible"] = "on";
        }
        return values;
    }

    private static RazorComponentResult<ConfirmDeletePage> ConfirmPage(string project, string? error, int status) => new(new
    {
        What = $"project {project}",
        ConfirmText = project,
        Consequences = $"Deleting project {project} deletes all its jobsets, their evaluations and builds, and its members. This cannot be undone.",
        Action = $"/project/{project}/delete",
        CancelUrl = $"/project/{project}",
        Error = error,
    }) { StatusCode = status };

    private static Task<string?> OwnerAsync(HydraDbContext db, string project, CancellationToken cancellationToken) =>
        db.Projects.AsNoTracking().Where(p => p.Name == project).Select(p => p.Owner).SingleOrDefaultAsync(cancellationToken);

    private static string Right(string project) => $"Changing project '{project}' is for its owner, its members and admins.";
}
