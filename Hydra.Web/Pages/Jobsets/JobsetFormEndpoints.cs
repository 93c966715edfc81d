using Hydra.Core.Data;
using Hydra.Evaluator.Jobsets;
using Hydra.Web.Api;
using Hydra.Web.Api.Jobsets;
using Hydra.Web.Auth;
using Hydra.Web.Pages.Projects;
using Hydra.Web.Pages.Shared;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace Hydra.Web.Pages.Jobsets;

/// <summary>
/// The jobset's forms: <c>/jobset/{p}/{j}/edit</c>, <c>/clone</c> and <c>/delete</c> (with confirmation). A post is
/// checked like every action (<see cref="PostActions"/>), then by the editor's field rules (<see cref="JobsetFormRules"/>,
/// the messages the page's script shows), then saved by the API's PUT and DELETE code, whose refusal comes back on the form.
/// </summary>
internal static class JobsetFormEndpoints
{
    public static RouteGroupBuilder MapJobsetFormEndpoints(this RouteGroupBuilder routes)
    {
        routes.MapGet("/jobset/{project}/{jobset}/edit", (string project, string jobset, HttpContext http, HydraDbContext db, CancellationToken ct) =>
            FormAsync(project, jobset, clone: false, http, db, ct));
        routes.MapGet("/jobset/{project}/{jobset}/clone", (string project, string jobset, HttpContext http, HydraDbContext db, CancellationToken ct) =>
            FormAsync(project, jobset, clone: true, http, db, ct));
        routes.MapPost("/jobset/{project}/{jobset}/edit", (string project, string jobset, HttpContext http, HydraDbContext db, JobsetTrigger trigger,
                TimeProvider clock, IAntiforgery antiforgery, CancellationToken ct) => SaveAsync(project, jobset, clone: false, http, db, trigger, clock, antiforgery, ct))
            .DisableAntiforgery();
        routes.MapPost("/jobset/{project}/{jobset}/clone", (string project, string jobset, HttpContext http, HydraDbContext db, JobsetTrigger trigger,
                TimeProvider clock, IAntiforgery antiforgery, CancellationToken ct) => SaveAsync(project, jobset, clone: true, http, db, trigger, clock, antiforgery, ct))
            .DisableAntiforgery();
        routes.MapGet("/jobset/{project}/{jobset}/delete", DeleteFormAsync);
        routes.MapPost("/jobset/{project}/{jobset}/delete", DeleteAsync).DisableAntiforgery();
        return routes;
    }

    private static async Task<IResult> FormAsync(string project, string jobset, bool clone, HttpContext http, HydraDbContext db, CancellationToken cancellationToken)
    {
        var entity = await db.Jobsets.AsNoTracking().Include(j => j.Inputs).Include(j => j.Project)
            .SingleOrDefaultAsync(j => j.Project!.Name == project && j.Name == jobset, cancellationToken);
        if (entity is null)
        {
            return NotFoundPage.Result($"Jobset '{project}:{jobset}' doesn't exist.");
        }
        return ProjectFormEndpoints.Gate(http, project, entity.Project!.Owner, $"/jobset/{project}/{jobset}/{(clone ? "clone" : "edit")}")
            ?? Page(project, jobset, clone, JobsetForm.From(entity, clone ? $"{jobset}-copy" : jobset), null, null, StatusCodes.Status200OK);
    }

    private static async Task<IResult> SaveAsync(
        string project, string jobset, bool clone, HttpContext http, HydraDbContext db, JobsetTrigger trigger, TimeProvider timeProvider,
        IAntiforgery antiforgery, CancellationToken cancellationToken)
    {
        var owner = await OwnerAsync(db, project, jobset, cancellationToken);
        if (owner is null)
        {
            return NotFoundPage.Result($"Jobset '{project}:{jobset}' doesn't exist.");
        }
        var formUrl = $"/jobset/{project}/{jobset}/{(clone ? "clone" : "edit")}";
        if (await PostActions.CheckAsync(http, antiforgery, ProjectRights.Administers(http.User, project, owner), Right(project), "change jobsets", formUrl) is { } refusal)
        {
            return refusal;
        }
        if (!PostActions.IsForm(http.Request))
        {
            return HydraJson.Error(StatusCodes.Status415UnsupportedMediaType, $"Post the form; scripts use PUT /jobset/{project}/{jobset}.");
        }
        var form = JobsetForm.From(await http.Request.ReadFormAsync(cancellationToken));
        var problems = form.Check(withName: clone);
        if (problems.Count > 0)
        {
            return Page(project, jobset, clone, form, problems, null, StatusCodes.Status400BadRequest);
        }
        var target = clone ? form.Get("name").Trim() : jobset;
        var result = clone && await db.Jobsets.AnyAsync(j => j.Project!.Name == project && j.Name == target, cancellationToken)
            ? HydraJson.Error(StatusCodes.Status409Conflict, $"Project '{project}' already has a jobset named '{target}'.")
            : await JobsetEndpoints.SaveAsync(project, target, RequestFields.FromJson(form.ToJson()), http, db, trigger, timeProvider, cancellationToken);
        return FormOutcome.Of(result, $"/jobset/{project}/{target}", (status, error) => Page(project, jobset, clone, form, null, error, status));
    }

    private static async Task<IResult> DeleteFormAsync(string project, string jobset, HttpContext http, HydraDbContext db, CancellationToken cancellationToken)
    {
        var owner = await OwnerAsync(db, project, jobset, cancellationToken);
        return owner is null ? NotFoundPage.Result($"Jobset '{project}:{jobset}' doesn't exist.")
            : ProjectFormEndpoints.Gate(http, project, owner, $"/jobset/{project}/{jobset}/delete") ?? ConfirmPage(project, jobset, null, StatusCodes.Status200OK);
    }

    private static async Task<IResult> DeleteAsync(string project, string jobset, HttpContext http, HydraDbContext db, IAntiforgery antiforgery, CancellationToken cancellationToken)
    {
        var owner = await OwnerAsync(db, project, jobset, cancellationToken);
        if (owner is null)
        {
            return NotFoundPage.Result($"Jobset '{project}:{jobset}' doesn't exist.");
        }
        var formUrl = $"/jobset/{project}/{jobset}/delete";
        if (await PostActions.CheckAsync(http, antiforgery, ProjectRights.Administers(http.User, project, owner), Right(project), "delete jobsets", formUrl) is { } refusal)
        {
            return refusal;
        }
        if ((await RequestFields.ReadAsync(http.Request, cancellationToken))?.GetString("confirm")?.Trim() != jobset)
        {
            return ConfirmPage(project, jobset, $"Type {jobset} exactly to delete it; nothing was deleted.", StatusCodes.Status400BadRequest);
        }
        return FormOutcome.Of(await JobsetEndpoints.DeleteAsync(project, jobset, http, db, cancellationToken), $"/project/{project}", $"/jobset/{project}/{jobset}");
    }

    private static RazorComponentResult<EditJobsetPage> Page(
        string project, string jobset, bool clone, JobsetForm form, IReadOnlyDictionary<string, string>? problems, string? error, int status) =>
        new(new { Project = project, Jobset = jobset, Clone = clone, Form = form, Problems = problems ?? new Dictionary<string, string>(), Error = error })
        {
            StatusCode = status,
        };

    private static RazorComponentResult<ConfirmDeletePage> ConfirmPage(string project, string jobset, string? error, int status) => new(new
    {
        What = $"jobset {project}:{jobset}",
        ConfirmText = jobset,
        Consequences = $"Deleting jobset {project}:{jobset} deletes its evaluations and builds too. This cannot be undone.",
        Action = $"/jobset/{project}/{jobset}/delete",
        CancelUrl = $"/jobset/{project}/{jobset}",
        Error = error,
    }) { StatusCode = status };

    /// <summary>The owner of the jobset's project, or null when there is no such jobset.</summary>
    private static Task<string?> OwnerAsync(HydraDbContext db, string project, string jobset, CancellationToken cancellationToken) =>
        db.Jobsets.AsNoTracking().Where(j => j.Project!.Name == project && j.Name == jobset).Select(j => j.Project!.Owner).SingleOrDefaultAsync(cancellationToken);

    private static string Right(string project) => $"Changing the jobsets of '{project}' is for the project's owner, its members and admins.";
}
