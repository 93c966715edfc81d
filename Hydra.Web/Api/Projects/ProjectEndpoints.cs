using Hydra.Web.Pages.Shared;
using System.Security.Claims;
using System.Text.RegularExpressions;
using Hydra.Core.Data;
using Hydra.Core.Data.Entities;
using Hydra.Evaluator.Declarative;
using Hydra.Evaluator.Jobsets;
using Hydra.Web.Auth;
using Hydra.Web.Pages;
using Hydra.Web.Pages.Projects;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace Hydra.Web.Api.Projects;

/// <summary><c>/project/{name}</c>: GET (HTML or JSON), PUT (create or update), DELETE.</summary>
internal static partial class ProjectEndpoints
{
    public static RouteGroupBuilder MapProjectEndpoints(this RouteGroupBuilder routes)
    {
        routes.MapGet("/project/{name}", GetAsync);
        routes.MapPut("/project/{name}", PutAsync).AddEndpointFilter<WriteAccessFilter>();
        routes.MapDelete("/project/{name}", DeleteAsync).AddEndpointFilter<WriteAccessFilter>();
        return routes;
    }

    private static async Task<IResult> GetAsync(string name, HttpContext http, HydraDbContext db, SharedResults shared, CancellationToken cancellationToken)
    {
        if (Negotiation.WantsJson(http.Request))
        {
            var json = await ProjectQueries.FindAsync(db, name, cancellationToken);
            return json is null ? HydraJson.NotFound($"Project '{name}' doesn't exist.") : HydraJson.Ok(json);
        }
        var model = await ProjectPageQuery.LoadAsync(db, shared, name, cancellationToken);
        return model is null
            ? NotFoundPage.Result($"Project '{name}' doesn't exist.")
            : new RazorComponentResult<ProjectPage>(new { Model = model });
    }

    private static async Task<IResult> PutAsync(
        string name, HttpContext http, HydraDbContext db, JobsetTrigger trigger, TimeProvider timeProvider, CancellationToken cancellationToken)
    {
        var fields = await RequestFields.ReadAsync(http.Request, cancellationToken);
        return fields is null
            ? HydraJson.Error(StatusCodes.Status400BadRequest, "Expected a JSON object or a form.")
            : await SaveAsync(name, fields, http, db, trigger, timeProvider, cancellationToken);
    }

    /// <summary>Creates or updates the project from <paramref name="fields"/>: PUT's rules and answers, shared with the create form.</summary>
    internal static async Task<IResult> SaveAsync(
        string name, RequestFields fields, HttpContext http, HydraDbContext db, JobsetTrigger trigger, TimeProvider timeProvider, CancellationToken cancellationToken)
    {
        if (!NamePattern().IsMatch(name))
        {
            return HydraJson.Error(StatusCodes.Status400BadRequest, $"Invalid project name '{name}': it must match ^[A-Za-z_][A-Za-z0-9_-]*$.");
        }
        if (fields.GetString("name") is { } bodyName && bodyName != name)
        {
            return HydraJson.Error(StatusCodes.Status400BadRequest, "Renaming a project is not supported; the name in the body must match the URL.");
        }
        var (declarative, declarativeError) = DeclarativeRequest.Parse(fields);
        if (declarativeError is not null)
        {
            return HydraJson.Error(StatusCodes.Status400BadRequest, declarativeError);
        }

        var user = http.User;
        var userName = user.Identity!.Name!;
        var isAdmin = user.IsInRole(HydraRoles.Admin);
        var project = await db.Projects.SingleOrDefaultAsync(p => p.Name == name, cancellationToken);
        var creating = project is null;
        if (project is null)
        {
            if (!isAdmin && !user.IsInRole(HydraRoles.CreateProjects))
            {
                return HydraJson.Error(StatusCodes.Status403Forbidden, "Creating projects needs the admin or create-projects role.");
            }
            project = new Project { Name = name, DisplayName = name, Owner = userName, CreatedAt = timeProvider.GetUtcNow() };
            db.Projects.Add(project);
        }
        else if (!ProjectRights.Administers(user, name, project.Owner))
        {
            return HydraJson.Error(StatusCodes.Status403Forbidden, "Only the project's owner, its members or an admin may change it.");
        }

        var owner = fields.GetString("owner");
        if (!string.IsNullOrEmpty(owner) && owner != project.Owner)
        {
            if (!isAdmin)
            {
                return HydraJson.Error(StatusCodes.Status403Forbidden, "Only an admin may give a project to another owner.");
            }
            if (!await db.Users.AnyAsync(u => u.UserName == owner, cancellationToken))
            {
                return HydraJson.Error(StatusCodes.Status400BadRequest, $"Unknown owner '{owner}'.");
            }
            project.Owner = owner;
        }

        // PUT replaces the project's settings; absent booleans are false, as in Hydra.
        var displayName = fields.GetString("displayname");
        project.DisplayName = string.IsNullOrWhiteSpace(displayName) ? name : displayName;
        project.Description = fields.GetString("description") ?? "";
        project.Homepage = fields.GetString("homepage") ?? "";
        project.Enabled = fields.GetPresenceBool("enabled");
        project.Hidden = !fields.GetPresenceBool("visible");
        var readSpec = await DeclarativeProject.ApplyAsync(db, project, declarative, timeProvider.GetUtcNow(), cancellationToken);
        await db.SaveChangesAsync(cancellationToken);
        if (readSpec)
        {
            // The spec is read (and the jobsets made) by the evaluator, now rather than at its next poll.
            await trigger.TriggerAsync([(name, DeclarativeProject.JobsetName)], force: false, cancellationToken);
        }

        var path = $"/project/{name}";
        if (!creating)
        {
            return HydraJson.Ok(new { redirect = path });
        }
        var uri = $"{http.Request.Scheme}://{http.Request.Host}{path}";
        http.Response.Headers.Location = uri;
        return HydraJson.Status(new { name, uri, redirect = path, type = "project" }, StatusCodes.Status201Created);
    }

    internal static async Task<IResult> DeleteAsync(string name, HttpContext http, HydraDbContext db, CancellationToken cancellationToken)
    {
        var project = await db.Projects.AsNoTracking().Where(p => p.Name == name)
            .Select(p => new { p.Id, p.Owner }).SingleOrDefaultAsync(cancellationToken);
        if (project is null)
        {
            return HydraJson.NotFound($"Project '{name}' doesn't exist.");
        }
        if (!ProjectRights.Administers(http.User, name, project.Owner))
        {
            return HydraJson.Error(StatusCodes.Status403Forbidden, "Only the project's owner, its members or an admin may delete it.");
        }
        // Jobsets, evaluations and builds go with it (ON DELETE CASCADE in the schema).
        await db.Projects.Where(p => p.Id == project.Id).ExecuteDeleteAsync(cancellationToken);
        return HydraJson.Ok(new { redirect = "/" });
    }

    [GeneratedRegex("^[A-Za-z_][A-Za-z0-9_-]*$")]
    private static partial Regex NamePattern();
}
