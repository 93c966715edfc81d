using Hydra.Core.Notifications;
using Hydra.Web.Api;
using Hydra.Web.Auth;
using Hydra.Web.Pages.Projects;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Http.HttpResults;
using Npgsql;

namespace Hydra.Web.Pages.Notifications;

/// <summary>
/// The notification pages of a project, for those who administer it: the list (<see cref="ListPageAsync"/>, reached
/// through <c>GET /project/{p}/notifications</c>, whose JSON the API answers), <c>/add?kind=</c> and <c>/{id}/edit</c>
/// forms, and <c>POST .../{id}/test</c>, <c>/enable</c>, <c>/disable</c>, <c>/delete</c>. Posts are checked like every
/// action (<see cref="PostActions"/>), then by <see cref="NotificationSinkFields.Check"/>, the API's own rules, and saved
/// by the same <see cref="NotificationSinkStore"/>.
/// </summary>
internal static class SinkPageEndpoints
{
    public static RouteGroupBuilder MapSinkPageEndpoints(this RouteGroupBuilder routes)
    {
        routes.MapGet("/project/{project}/notifications/add", AddFormAsync);
        routes.MapPost("/project/{project}/notifications/add", (string project, HttpContext http, NpgsqlDataSource db, NotificationSinkStore sinks,
            IAntiforgery antiforgery, CancellationToken ct) => SaveAsync(project, null, http, db, sinks, antiforgery, ct)).DisableAntiforgery();
        routes.MapGet("/project/{project}/notifications/{id:long}/edit", EditFormAsync);
        routes.MapPost("/project/{project}/notifications/{id:long}/edit", (string project, long id, HttpContext http, NpgsqlDataSource db,
            NotificationSinkStore sinks, IAntiforgery antiforgery, CancellationToken ct) => SaveAsync(project, id, http, db, sinks, antiforgery, ct)).DisableAntiforgery();
        foreach (var verb in (string[])["test", "enable", "disable", "delete"])
        {
            routes.MapPost($"/project/{{project}}/notifications/{{id:long}}/{verb}", (string project, long id, HttpContext http, NpgsqlDataSource db,
                    NotificationSinkStore sinks, NotificationOutbox outbox, IAntiforgery antiforgery, CancellationToken ct) =>
                ActAsync(project, id, verb, http, db, sinks, outbox, antiforgery, ct)).DisableAntiforgery();
        }
        return routes;
    }

    /// <summary>The list page; null owner and refusals as every project form (<see cref="ProjectFormEndpoints.Gate"/>).</summary>
    public static async Task<IResult> ListPageAsync(string project, long? tested, HttpContext http, NpgsqlDataSource db, NotificationSinkStore sinks,
        CancellationToken cancellationToken)
    {
        var (owner, _) = await ProjectAsync(db, project, cancellationToken);
        if (ProjectFormEndpoints.Gate(http, project, owner, ListUrl(project)) is { } refusal)
        {
            return refusal;
        }
        return new RazorComponentResult<SinkListPage>(new
        {
            Project = project,
            Sinks = await sinks.ListAsync(project, cancellationToken),
            States = await sinks.DeliveryStatesAsync(project, cancellationToken),
            Tested = tested,
        });
    }

    private static async Task<IResult> AddFormAsync(string project, string? kind, string? jobset, HttpContext http, NpgsqlDataSource db, CancellationToken cancellationToken)
    {
        var (owner, jobsets) = await ProjectAsync(db, project, cancellationToken);
        if (ProjectFormEndpoints.Gate(http, project, owner, $"/project/{project}/notifications/add?kind={kind}") is { } refusal)
        {
            return refusal;
        }
        return kind is not null && NotificationSinkKinds.All.Contains(kind)
            ? Page(project, null, SinkForm.New(kind, jobsets.Contains(jobset) ? jobset : null), jobsets, null, null, StatusCodes.Status200OK)
            : Results.Redirect(ListUrl(project));
    }

    private static async Task<IResult> EditFormAsync(string project, long id, HttpContext http, NpgsqlDataSource db, NotificationSinkStore sinks,
        CancellationToken cancellationToken)
    {
        var (owner, jobsets) = await ProjectAsync(db, project, cancellationToken);
        if (ProjectFormEndpoints.Gate(http, project, owner, $"/project/{project}/notifications/{id}/edit") is { } refusal)
        {
            return refusal;
        }
        return await FindAsync(sinks, project, id, cancellationToken) is { } sink
            ? Page(project, id, SinkForm.From(sink), jobsets, null, null, StatusCodes.Status200OK)
            : NotFoundPage.Result($"Project '{project}' has no notification sink {id}.");
    }

    /// <summary>Adds a sink (<paramref name="id"/> null) or saves sink <paramref name="id"/>; the form comes back with the problems.</summary>
    private static async Task<IResult> SaveAsync(string project, long? id, HttpContext http, NpgsqlDataSource db, NotificationSinkStore sinks,
        IAntiforgery antiforgery, CancellationToken cancellationToken)
    {
        var (owner, jobsets) = await ProjectAsync(db, project, cancellationToken);
        if (owner is null)
        {
            return NotFoundPage.Result($"Project '{project}' doesn't exist.");
        }
        var formUrl = id is null ? ListUrl(project) : $"/project/{project}/notifications/{id}/edit";
        if (await PostActions.CheckAsync(http, antiforgery, ProjectRights.Administers(http.User, project, owner), Right(project), "change notifications", formUrl)
            is { } refusal)
        {
            return refusal;
        }
        if (!PostActions.IsForm(http.Request))
        {
            return HydraJson.Error(StatusCodes.Status415UnsupportedMediaType, $"Post the form; scripts use /project/{project}/notifications.");
        }
        var existing = id is { } sinkId ? await FindAsync(sinks, project, sinkId, cancellationToken) : null;
        if (id is not null && existing is null)
        {
            return NotFoundPage.Result($"Project '{project}' has no notification sink {id}.");
        }
        var posted = await http.Request.ReadFormAsync(cancellationToken);
        var kind = existing?.Kind ?? posted["kind"].ToString();
        if (!NotificationSinkKinds.All.Contains(kind))
        {
            return ErrorPage.Result(StatusCodes.Status400BadRequest, "Not saved", $"Unknown kind '{kind}'.", ListUrl(project));
        }
        var form = SinkForm.From(kind, posted, existing is null ? new HashSet<string>() : SinkForm.From(existing).StoredSecrets);
        var change = form.ToChange();
        var problems = NotificationSinkFields.Check(change);
        if (change.Jobset is { } jobset && !jobsets.Contains(jobset))
        {
            problems["jobset"] = $"Project '{project}' has no jobset '{jobset}'.";
        }
        if (problems.Count > 0)
        {
            return Page(project, id, form, jobsets, problems, null, StatusCodes.Status400BadRequest);
        }
        var saved = id is { } updated
            ? await sinks.UpdateAsync(project, updated, change, cancellationToken)
            : await sinks.CreateAsync(project, change, cancellationToken) is not null;
        return saved
            ? Results.Redirect(ListUrl(project))
            : Page(project, id, form, jobsets, null, "The sink or its jobset was deleted meanwhile; nothing was saved.", StatusCodes.Status409Conflict);
    }

    private static async Task<IResult> ActAsync(string project, long id, string verb, HttpContext http, NpgsqlDataSource db, NotificationSinkStore sinks,
        NotificationOutbox outbox, IAntiforgery antiforgery, CancellationToken cancellationToken)
    {
        var (owner, _) = await ProjectAsync(db, project, cancellationToken);
        if (owner is null)
        {
            return NotFoundPage.Result($"Project '{project}' doesn't exist.");
        }
        var listUrl = ListUrl(project);
        if (await PostActions.CheckAsync(http, antiforgery, ProjectRights.Administers(http.User, project, owner), Right(project), "change notifications", listUrl)
            is { } refusal)
        {
            return refusal;
        }
        var missing = $"Project '{project}' has no notification sink {id}.";
        switch (verb)
        {
            case "test":
                var (delivery, exists) = await outbox.EnqueueTestAsync(project, id, $"A test event sent by {http.User.Identity?.Name} from the notifications page.",
                    cancellationToken);
                return delivery is { } queued
                    ? PostActions.Done(http.Request, HydraJson.Ok(new { delivery = queued }), $"{listUrl}?tested={id}")
                    : PostActions.Refuse(http.Request, exists ? StatusCodes.Status409Conflict : StatusCodes.Status404NotFound, "Not sent",
                        exists ? $"Project '{project}' has no jobset yet, and a test event is about a jobset: add one first." : missing, listUrl);
            case "delete":
                return await sinks.DeleteAsync(project, id, cancellationToken)
                    ? PostActions.Done(http.Request, HydraJson.Ok(new { deleted = id }), listUrl)
                    : PostActions.Refuse(http.Request, StatusCodes.Status404NotFound, "Not found", missing, listUrl);
            default:
                return await sinks.SetEnabledAsync(project, id, verb == "enable", cancellationToken)
                    ? PostActions.Done(http.Request, HydraJson.Ok(new { id, enabled = verb == "enable" }), listUrl)
                    : PostActions.Refuse(http.Request, StatusCodes.Status404NotFound, "Not found", missing, listUrl);
        }
    }

    private static RazorComponentResult<SinkFormPage> Page(string project, long? id, SinkForm form, IReadOnlyList<string> jobsets,
        IReadOnlyDictionary<string, string>? problems, string? error, int status) =>
        new(new { Project = project, Id = id, Form = form, Jobsets = jobsets, Problems = problems ?? new Dictionary<string, string>(), Error = error })
        {
            StatusCode = status,
        };

    private static async Task<NotificationSinkStore.Listed?> FindAsync(NotificationSinkStore sinks, string project, long id, CancellationToken cancellationToken) =>
        (await sinks.ListAsync(project, cancellationToken)).FirstOrDefault(s => s.Id == id);

    /// <summary>The project's owner (null: no such project) and its jobsets' names, for the jobset choice.</summary>
    private static async Task<(string? Owner, IReadOnlyList<string> Jobsets)> ProjectAsync(NpgsqlDataSource db, string project, CancellationToken cancellationToken)
    {
        await using var command = db.CreateCommand(
            """
            SELECT p.owner, j.name FROM projects p LEFT JOIN jobsets j ON j.project_id = p.id AND NOT j.hidden
            WHERE p.name = $1 ORDER BY j.name
            """);
        command.Parameters.AddWithValue(project);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        string? owner = null;
        var jobsets = new List<string>();
        while (await reader.ReadAsync(cancellationToken))
        {
            owner = reader.GetString(0);
            if (!reader.IsDBNull(1))
            {
                jobsets.Add(reader.GetString(1));
            }
        }
        return (owner, jobsets);
    }

    private static string ListUrl(string project) => $"/project/{project}/notifications";

    private static string Right(string project) => $"Changing the notifications of '{project}' is for its owner, its members and admins.";
}
