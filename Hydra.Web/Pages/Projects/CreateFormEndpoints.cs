using System.Security.Claims;
using System.Text.Json;
using System.Text.Json.Nodes;
using Hydra.Core.Data;
using Hydra.Evaluator.Jobsets;
using Hydra.Web.Api;
using Hydra.Web.Api.Jobsets;
using Hydra.Web.Api.Projects;
using Hydra.Web.Auth;
using Hydra.Web.Pages.Jobsets;
using Hydra.Web.Pages.Shared;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace Hydra.Web.Pages.Projects;

/// <summary>
/// The forms that create a project (<c>/create-project</c>) and a jobset (<c>/project/{p}/create-jobset</c>),
/// Hydra's URLs. A form post is checked like every action (<see cref="PostActions"/>: the right first, then the
/// antiforgery token) and saved by the same code as the API's PUT, whose error comes back on the form.
/// </summary>
internal static class CreateFormEndpoints
{
    private const string ProjectRight = "Creating projects needs the admin or create-projects role.";

    public static RouteGroupBuilder MapCreateFormEndpoints(this RouteGroupBuilder routes)
    {
        routes.MapGet("/create-project", (HttpContext http) => !SignedIn(http) ? SignInFirst("/create-project")
            : MayCreateProjects(http.User) ? new RazorComponentResult<CreateProjectPage>()
            : ErrorPage.Result(StatusCodes.Status403Forbidden, "Forbidden", ProjectRight, "/"));
        routes.MapPost("/create-project", CreateProjectAsync).DisableAntiforgery();
        routes.MapGet("/project/{project}/create-jobset", JobsetFormAsync);
        routes.MapPost("/project/{project}/create-jobset", CreateJobsetAsync).DisableAntiforgery();
        return routes;
    }

    public static bool MayCreateProjects(ClaimsPrincipal user) =>
        user.Identity?.IsAuthenticated == true && (user.IsInRole(HydraRoles.Admin) || user.IsInRole(HydraRoles.CreateProjects));

    private static async Task<IResult> CreateProjectAsync(
        HttpContext http, HydraDbContext db, JobsetTrigger trigger, TimeProvider timeProvider, IAntiforgery antiforgery, CancellationToken cancellationToken)
    {
        var refusal = await PostActions.CheckAsync(http, antiforgery, MayCreateProjects(http.User), ProjectRight, "create projects", "/create-project");
        if (refusal is not null)
        {
            return refusal;
        }
        var values = await FormValuesAsync(http, cancellationToken);
        var name = values.GetValueOrDefault("name", "");
        var result = await db.Projects.AnyAsync(p => p.Name == name, cancellationToken)
            ? HydraJson.Error(StatusCodes.Status409Conflict, $"A project named '{name}' already exists.")
            : await ProjectEndpoints.SaveAsync(name, (await RequestFields.ReadAsync(http.Request, cancellationToken))!, http, db, trigger, timeProvider, cancellationToken);
        return FormOutcome.Of(result, $"/project/{name}", (status, error) =>
            new RazorComponentResult<CreateProjectPage>(new { Values = values, Error = error }) { StatusCode = status });
    }

    private static async Task<IResult> JobsetFormAsync(string project, HttpContext http, HydraDbContext db, CancellationToken cancellationToken)
    {
        if (!SignedIn(http))
        {
            return SignInFirst($"/project/{project}/create-jobset");
        }
        var owner = await OwnerAsync(db, project, cancellationToken);
        return owner is null ? NotFoundPage.Result($"Project '{project}' doesn't exist.")
            : !ProjectRights.Administers(http.User, project, owner) ? ErrorPage.Result(StatusCodes.Status403Forbidden, "Forbidden", JobsetRight(project), $"/project/{project}")
            : JobsetForm(project, new Dictionary<string, string>(), null, StatusCodes.Status200OK);
    }

    private static async Task<IResult> CreateJobsetAsync(
        string project, HttpContext http, HydraDbContext db, JobsetTrigger trigger, TimeProvider timeProvider, IAntiforgery antiforgery,
        CancellationToken cancellationToken)
    {
        var owner = await OwnerAsync(db, project, cancellationToken);
        if (owner is null)
        {
            return NotFoundPage.Result($"Project '{project}' doesn't exist.");
        }
        var formUrl = $"/project/{project}/create-jobset";
        var refusal = await PostActions.CheckAsync(http, antiforgery, ProjectRights.Administers(http.User, project, owner), JobsetRight(project), "create jobsets", formUrl);
        if (refusal is not null)
        {
            return refusal;
        }
        var values = await FormValuesAsync(http, cancellationToken);
        var name = values.GetValueOrDefault("name", "");
        var result = await db.Jobsets.AnyAsync(j => j.Project!.Name == project && j.Name == name, cancellationToken)
            ? HydraJson.Error(StatusCodes.Status409Conflict, $"Project '{project}' already has a jobset named '{name}'.")
            : await JobsetEndpoints.SaveAsync(project, name, RequestFields.FromJson(JobsetJson(values)), http, db, trigger, timeProvider, cancellationToken);
        return FormOutcome.Of(result, $"/jobset/{project}/{name}", (status, error) => JobsetForm(project, values, error, status));
    }

    /// <summary>The form's fields in the shape of the API's PUT body.</summary>
    private static JsonElement JobsetJson(IReadOnlyDictionary<string, string> values)
    {
        var flake = values.GetValueOrDefault("flake", "").Trim();
        var inputName = values.GetValueOrDefault("inputname", "").Trim();
        var checkInterval = values.GetValueOrDefault("checkinterval", "300");
        var body = new JsonObject
        {
            ["description"] = values.GetValueOrDefault("description", ""),
            ["enabled"] = 1,
            ["visible"] = values.ContainsKey("visible"),
            ["checkinterval"] = int.TryParse(checkInterval, out var seconds) ? JsonValue.Create(seconds) : JsonValue.Create(checkInterval),
        };
        if (flake.Length > 0)
        {
            body["type"] = 1;
            body["flake"] = flake;
        }
        else
        {
            body["type"] = 0;
            body["nixexprinput"] = inputName;
            body["nixexprpath"] = values.GetValueOrDefault("nixexprpath", "");
            body["inputs"] = new JsonObject
            {
                [inputName] = new JsonObject { ["type"] = values.GetValueOrDefault("inputtype", "git"), ["value"] = values.GetValueOrDefault("inputvalue", "") },
            };
        }
        return JsonSerializer.SerializeToElement(body);
    }

    private static RazorComponentResult<CreateJobsetPage> JobsetForm(string project, IReadOnlyDictionary<string, string> values, string? error, int status) =>
        new(new { Project = project, Values = values, Error = error, InputTypes = JobsetRequest.SupportedInputTypes }) { StatusCode = status };

    private static async Task<Dictionary<string, string>> FormValuesAsync(HttpContext http, CancellationToken cancellationToken)
    {
        var form = await http.Request.ReadFormAsync(cancellationToken);
        return form.Where(f => !f.Key.StartsWith("__", StringComparison.Ordinal)).ToDictionary(f => f.Key, f => f.Value.ToString());
    }

    private static Task<string?> OwnerAsync(HydraDbContext db, string project, CancellationToken cancellationToken) =>
        db.Projects.AsNoTracking().Where(p => p.Name == project).Select(p => p.Owner).SingleOrDefaultAsync(cancellationToken);

    private static string JobsetRight(string project) => $"Creating jobsets in '{project}' is for the project's owner, its members and admins.";

    private static bool SignedIn(HttpContext http) => http.User.Identity?.IsAuthenticated == true;

    private static IResult SignInFirst(string url) => Results.Redirect($"/login?returnUrl={Uri.EscapeDataString(url)}");
}
