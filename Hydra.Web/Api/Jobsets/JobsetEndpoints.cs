using Hydra.Web.Pages.Shared;
using Hydra.Evaluator.Declarative;
using Hydra.Evaluator.Jobsets;
using System.Text.RegularExpressions;
using Hydra.Core.Data;
using Hydra.Core.Data.Entities;
using Hydra.Web.Api.Projects;
using Hydra.Web.Auth;
using Hydra.Web.Pages;
using Hydra.Web.Pages.Jobsets;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace Hydra.Web.Api.Jobsets;

/// <summary><c>/jobset/{project}/{jobset}</c>: GET (HTML or JSON), PUT (create or update), DELETE.</summary>
internal static partial class JobsetEndpoints
{
    public static RouteGroupBuilder MapJobsetEndpoints(this RouteGroupBuilder routes)
    {
        routes.MapGet("/jobset/{project}/{jobset}", GetAsync);
        routes.MapGet("/jobset/{project}/{jobset}/jobs", async (string project, string jobset, string? after, HydraDbContext db, CancellationToken cancellationToken) =>
            await JobMatrixQuery.LoadAsync(db, project, jobset, after, cancellationToken) is { } model
                ? (IResult)new RazorComponentResult<JobMatrixPage>(new { Model = model })
                : NotFoundPage.Result($"Jobset '{project}:{jobset}' doesn't exist."));
        routes.MapPut("/jobset/{project}/{jobset}", PutAsync).AddEndpointFilter<WriteAccessFilter>();
        routes.MapDelete("/jobset/{project}/{jobset}", DeleteAsync).AddEndpointFilter<WriteAccessFilter>();
        return routes;
    }

    private static async Task<IResult> GetAsync(
        string project, string jobset, long? before, HttpContext http, HydraDbContext db, SharedResults shared, CancellationToken cancellationToken)
    {
        if (Negotiation.WantsJson(http.Request))
        {
            var json = await JobsetQueries.FindAsync(db, project, jobset, cancellationToken);
            return json is null ? HydraJson.NotFound($"Jobset '{project}:{jobset}' doesn't exist.") : HydraJson.Ok(json);
        }
        return await PageAsync(db, shared, project, jobset, before, cancellationToken);
    }

    /// <summary>The jobset page; also answers HTML requests for <c>/jobset/{p}/{j}/evals</c>.</summary>
    internal static async Task<IResult> PageAsync(HydraDbContext db, SharedResults shared, string project, string jobset, long? before, CancellationToken cancellationToken)
    {
        var model = await JobsetPageQuery.LoadAsync(db, shared, project, jobset, before, cancellationToken);
        return model is null
            ? NotFoundPage.Result($"Jobset '{project}:{jobset}' doesn't exist.")
            : new RazorComponentResult<JobsetPage>(new { Model = model });
    }

    private static async Task<IResult> PutAsync(
        string project, string jobset, HttpContext http, HydraDbContext db, JobsetTrigger trigger, TimeProvider timeProvider, CancellationToken cancellationToken) =>
        await SaveAsync(project, jobset, await RequestFields.ReadAsync(http.Request, cancellationToken), http, db, trigger, timeProvider, cancellationToken);

    /// <summary>Creates or updates the jobset from <paramref name="fields"/>: PUT's rules and answers, shared with the create form.</summary>
    internal static async Task<IResult> SaveAsync(
        string project, string jobset, RequestFields? fields, HttpContext http, HydraDbContext db, JobsetTrigger trigger, TimeProvider timeProvider,
        CancellationToken cancellationToken)
    {
        if (!NamePattern().IsMatch(jobset))
        {
            return HydraJson.Error(StatusCodes.Status400BadRequest, $"Invalid jobset name '{jobset}': it must match ^[A-Za-z_][A-Za-z0-9_.-]*$.");
        }
        var owner = await db.Projects.AsNoTracking().Where(p => p.Name == project)
            .Select(p => new { p.Id, p.Owner, p.DeclFile }).SingleOrDefaultAsync(cancellationToken);
        if (owner is null)
        {
            return HydraJson.NotFound($"Project '{project}' doesn't exist.");
        }
        if (owner.DeclFile is not null)
        {
            return DeclarativeRefusal(project, owner.DeclFile);
        }
        if (!ProjectRights.Administers(http.User, project, owner.Owner))
        {
            return HydraJson.Error(StatusCodes.Status403Forbidden, "Only the project's owner, its members or an admin may change its jobsets.");
        }
        if (fields is null)
        {
            return HydraJson.Error(StatusCodes.Status400BadRequest, "Expected a JSON object.");
        }
        if (fields.GetString("name") is { } bodyName && bodyName != jobset)
        {
            return HydraJson.Error(StatusCodes.Status400BadRequest, "Renaming a jobset is not supported; the name in the body must match the URL.");
        }
        var (settings, error) = JobsetRequest.Parse(jobset, fields);
        if (settings is null)
        {
            return HydraJson.Error(StatusCodes.Status400BadRequest, error!);
        }

        var entity = await db.Jobsets.Include(j => j.Inputs)
            .SingleOrDefaultAsync(j => j.ProjectId == owner.Id && j.Name == jobset, cancellationToken);
        var creating = entity is null;
        if (entity is null)
        {
            var now = timeProvider.GetUtcNow();
            // A trigger time makes the scheduler evaluate the new jobset at once instead of after checkinterval.
            entity = new Jobset { ProjectId = owner.Id, Name = jobset, NixExprInput = "", NixExprPath = "", CreatedAt = now, TriggerTime = now };
            db.Jobsets.Add(entity);
        }
        // Secrets reference their input row, so the inputs are saved first, in the same transaction.
        await using (var transaction = await db.Database.BeginTransactionAsync(cancellationToken))
        {
            DeclarativeSpecWriter.Configure(entity, settings.Jobset);
            await db.SaveChangesAsync(cancellationToken);
            await ApplySecretsAsync(db, entity, settings, cancellationToken);
            await transaction.CommitAsync(cancellationToken);
        }

        var path = $"/jobset/{project}/{jobset}";
        if (!creating)
        {
            return HydraJson.Ok(new { redirect = path });
        }
        // Wake the evaluators now rather than at their next poll.
        await trigger.TriggerAsync([(project, jobset)], force: false, cancellationToken);
        var uri = $"{http.Request.Scheme}://{http.Request.Host}{path}";
        http.Response.Headers.Location = uri;
        return HydraJson.Status(new { name = jobset, uri, redirect = path, type = "jobset" }, StatusCodes.Status201Created);
    }

    /// <summary>
    /// Stores, replaces or removes input credentials, and drops any left on an input that is no
    /// longer git (removed inputs lose theirs through the foreign key).
    /// </summary>
    private static async Task ApplySecretsAsync(HydraDbContext db, Jobset entity, JobsetSettings settings, CancellationToken cancellationToken)
    {
        var inputs = settings.Jobset.Inputs;
        var notGit = inputs.Where(i => i.Type != "git" || settings.Secrets.GetValueOrDefault(i.Name) is { Removes: true }).Select(i => i.Name).ToList();
        await db.InputSecrets.Where(s => s.JobsetId == entity.Id && notGit.Contains(s.InputName)).ExecuteDeleteAsync(cancellationToken);
        foreach (var input in inputs.Where(i => i.Type == "git"))
        {
            if (settings.Secrets.GetValueOrDefault(input.Name) is not { Removes: false } secret)
            {
                continue;
            }
            var existing = await db.InputSecrets.SingleOrDefaultAsync(s => s.JobsetId == entity.Id && s.InputName == input.Name, cancellationToken);
            if (existing is null)
            {
                db.InputSecrets.Add(new InputSecret { JobsetId = entity.Id, InputName = input.Name, Kind = secret.Kind, Secret = secret.Secret });
            }
            else
            {
                existing.Kind = secret.Kind;
                existing.Secret = secret.Secret;
            }
        }
        await db.SaveChangesAsync(cancellationToken);
    }

    internal static async Task<IResult> DeleteAsync(
        string project, string jobset, HttpContext http, HydraDbContext db, CancellationToken cancellationToken)
    {
        var row = await db.Jobsets.AsNoTracking().Where(j => j.Project!.Name == project && j.Name == jobset)
            .Select(j => new { j.Id, j.Project!.Owner, j.Project.DeclFile }).SingleOrDefaultAsync(cancellationToken);
        if (row is null)
        {
            return HydraJson.NotFound($"Jobset '{project}:{jobset}' doesn't exist.");
        }
        if (row.DeclFile is not null)
        {
            return DeclarativeRefusal(project, row.DeclFile);
        }
        if (!ProjectRights.Administers(http.User, project, row.Owner))
        {
            return HydraJson.Error(StatusCodes.Status403Forbidden, "Only the project's owner, its members or an admin may delete its jobsets.");
        }
        await db.Jobsets.Where(j => j.Id == row.Id).ExecuteDeleteAsync(cancellationToken);
        return HydraJson.Ok(new { redirect = $"/project/{project}" });
    }

    /// <summary>Hydra's rule: a declarative project's jobsets change only through its spec file.</summary>
    private static IResult DeclarativeRefusal(string project, string specFile) => HydraJson.Error(StatusCodes.Status403Forbidden,
        $"Project '{project}' is declarative: its jobsets are defined by {specFile} in its repository. Change that file, or remove the project's declarative setting.");

    [GeneratedRegex("^[A-Za-z_][A-Za-z0-9_.-]*$")]
    private static partial Regex NamePattern();
}
