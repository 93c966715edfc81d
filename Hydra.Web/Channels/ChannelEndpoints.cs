using System.Globalization;
using System.Text;
using Hydra.Web.Api;
using Hydra.Web.Auth;
using Hydra.Web.Pages;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;

namespace Hydra.Web.Channels;

/// <summary>
/// <c>/channel/{name}</c>: the channel page (HTML or JSON), the Nix channel files (<c>nixexprs.tar.xz</c>,
/// <c>binary-cache-url</c>, <c>store-paths</c>, <c>store-paths.xz</c>), <c>PUT</c> to create or change a channel, and
/// the <c>promote</c> and <c>rollback</c> actions (forms with antiforgery tokens, or JSON; see <see cref="PostActions"/>).
/// </summary>
internal static class ChannelEndpoints
{
    public const int HistoryPageSize = 25;

    public static RouteGroupBuilder MapChannelEndpoints(this RouteGroupBuilder routes)
    {
        routes.MapGet("/channels", async (ChannelStore store, CancellationToken ct) =>
            HydraJson.Ok((await store.ListAsync(ct)).Select(c => new { c.Name, c.Project, c.Jobset, c.FollowJob, c.Description })));
        routes.MapGet("/channel/{name}", GetAsync);
        routes.MapPut("/channel/{name}", SaveAsync).AddEndpointFilter<WriteAccessFilter>().DisableAntiforgery();
        routes.MapPost("/channel/{name}/promote", PromoteAsync).DisableAntiforgery();
        routes.MapPost("/channel/{name}/rollback", RollbackAsync).DisableAntiforgery();
        routes.MapGet("/channel/{name}/nixexprs.tar.xz", NixExprsAsync);
        routes.MapGet("/channel/{name}/binary-cache-url", (string name, HttpContext http, IOptions<ChannelOptions> options) =>
            Results.Text(BinaryCacheUrl(http, options.Value) + "\n", "text/plain"));
        routes.MapGet("/channel/{name}/store-paths", (string name, ChannelStore store, ChannelQueries queries, CancellationToken ct) =>
            StorePathsAsync(name, store, queries, compress: false, ct));
        routes.MapGet("/channel/{name}/store-paths.xz", (string name, ChannelStore store, ChannelQueries queries, CancellationToken ct) =>
            StorePathsAsync(name, store, queries, compress: true, ct));
        return routes;
    }

    /// <summary>The cache a channel's users substitute from: the configured URL, else this server's <c>/cache</c>.</summary>
    public static string BinaryCacheUrl(HttpContext http, ChannelOptions options) =>
        options.BinaryCacheUrl ?? $"{http.Request.Scheme}://{http.Request.Host}/cache";

    private static async Task<IResult> GetAsync(
        string name, long? before, long? compare, HttpContext http, ChannelStore store, ChannelQueries queries, CancellationToken cancellationToken)
    {
        if (await store.FindAsync(name, cancellationToken) is not { } channel)
        {
            return Missing(http, name);
        }
        var model = await ChannelPageQuery.LoadAsync(store, queries, channel, before, compare, cancellationToken);
        if (!Negotiation.WantsJson(http.Request))
        {
            return new RazorComponentResult<ChannelPage>(new { Model = model });
        }
        return HydraJson.Ok(new
        {
            name = channel.Name, project = channel.Project, jobset = channel.Jobset, followjob = channel.FollowJob, description = channel.Description,
            current = model.Current is { } current ? RevisionJson(current, model) : null,
            history = model.History.Select(r => RevisionJson(r, model)),
            nextbefore = model.NextBefore,
            changes = model.Changes is { } changes ? new
            {
                from = model.ComparedTo?.EvaluationId,
                added = changes.Added.Select(b => new { b.Job, b.System, build = b.BuildId, nixname = b.NixName }),
                removed = changes.Removed.Select(b => new { b.Job, b.System, build = b.BuildId, nixname = b.NixName }),
                changed = changes.Changed.Select(c => new { c.After.Job, c.After.System, from = c.Before.BuildId, to = c.After.BuildId, c.Before.NixName, newnixname = c.After.NixName }),
            } : null,
        });
    }

    private static object RevisionJson(ChannelRevision revision, ChannelPageModel model) => new
    {
        id = revision.Id, eval = revision.EvaluationId, build = revision.BuildId, kind = revision.Kind, promotedby = revision.PromotedBy,
        rolledbackto = revision.RolledBackTo, timestamp = HydraJson.Unix(revision.CreatedAt),
        revision = model.Evaluations.TryGetValue(revision.EvaluationId, out var e) ? e.Revision : null,
    };

    private static async Task<IResult> SaveAsync(string name, HttpContext http, ChannelStore store, CancellationToken cancellationToken)
    {
        if (!ChannelRights.MayManage(http.User))
        {
            return HydraJson.Error(StatusCodes.Status403Forbidden, ChannelRights.Needed);
        }
        if (name == "custom" || !System.Text.RegularExpressions.Regex.IsMatch(name, "^[A-Za-z_][A-Za-z0-9_.-]*$"))
        {
            return HydraJson.Error(StatusCodes.Status400BadRequest, $"'{name}' is not a channel name: letters, digits, '_', '.', '-', not 'custom'.");
        }
        var fields = await RequestFields.ReadAsync(http.Request, cancellationToken);
        var project = fields?.GetString("project");
        var jobset = fields?.GetString("jobset");
        if (fields is null || string.IsNullOrEmpty(project) || string.IsNullOrEmpty(jobset))
        {
            return HydraJson.Error(StatusCodes.Status400BadRequest, "Send a JSON object with 'project' and 'jobset' (and optionally 'followjob', 'description').");
        }
        var followJob = fields.GetString("followjob") is { Length: > 0 } job ? job : null;
        return await store.SaveAsync(name, project, jobset, followJob, fields.GetString("description") ?? "", cancellationToken)
            ? HydraJson.Ok(new { name, redirect = $"/channel/{name}" })
            : HydraJson.NotFound($"Jobset '{project}:{jobset}' doesn't exist.");
    }

    private static Task<IResult> PromoteAsync(string name, HttpContext http, ChannelStore store, IAntiforgery antiforgery, CancellationToken cancellationToken) =>
        ChangeAsync(name, "eval", http, store, antiforgery, (channel, eval, user) => store.PromoteAsync(channel, eval, user, cancellationToken),
            id => $"Evaluation {id} is not an evaluation of this channel's jobset.", cancellationToken);

    private static Task<IResult> RollbackAsync(string name, HttpContext http, ChannelStore store, IAntiforgery antiforgery, CancellationToken cancellationToken) =>
        ChangeAsync(name, "revision", http, store, antiforgery, (channel, revision, user) => store.RollbackAsync(channel, revision, user, cancellationToken),
            id => $"Revision {id} is not in this channel's history.", cancellationToken);

    private static async Task<IResult> ChangeAsync(
        string name, string field, HttpContext http, ChannelStore store, IAntiforgery antiforgery,
        Func<Channel, long, string, Task<ChannelChange>> change, Func<long, string> notFound, CancellationToken cancellationToken)
    {
        // The right does not depend on the channel, so it is checked first: a visitor learns nothing about which channels exist.
        var url = $"/channel/{name}";
        var refusal = await PostActions.CheckAsync(http, antiforgery, ChannelRights.MayManage(http.User), ChannelRights.Needed, "change channels", url);
        if (refusal is not null)
        {
            return refusal;
        }
        if (await store.FindAsync(name, cancellationToken) is not { } channel)
        {
            return PostActions.IsForm(http.Request) ? NotFoundPage.Result($"Channel '{name}' doesn't exist.") : HydraJson.NotFound($"Channel '{name}' doesn't exist.");
        }
        var fields = await RequestFields.ReadAsync(http.Request, cancellationToken);
        if (!long.TryParse(fields?.GetString(field), NumberStyles.None, CultureInfo.InvariantCulture, out var id))
        {
            return PostActions.Refuse(http.Request, StatusCodes.Status400BadRequest, "Bad request", $"Give the {field} id as '{field}'.", url);
        }
        return await change(channel, id, http.User.Identity!.Name!) switch
        {
            ChannelChange.Done => PostActions.Done(http.Request, HydraJson.Ok(new { channel = name, current = await store.CurrentAsync(channel.Id, cancellationToken) }), url),
            ChannelChange.AlreadyCurrent => PostActions.Refuse(http.Request, StatusCodes.Status409Conflict, "Not possible now",
                $"That evaluation is already the current revision of '{name}'.", url),
            _ => PostActions.Refuse(http.Request, StatusCodes.Status404NotFound, "Not found", notFound(id), url),
        };
    }

    private static async Task<IResult> NixExprsAsync(string name, HttpContext http, ChannelStore store, ChannelTarballs tarballs, CancellationToken cancellationToken)
    {
        if (await CurrentAsync(name, store, cancellationToken) is not { } current)
        {
            return NotFoundText($"Channel '{name}' doesn't exist or has no revision yet.");
        }
        return await tarballs.GetAsync(current.EvaluationId, cancellationToken) is { } path
            ? Results.File(path, "application/x-xz", "nixexprs.tar.xz")
            : NotFoundText($"Evaluation {current.EvaluationId} has no git or path input with its Nix expression to pack.");
    }

    private static async Task<IResult> StorePathsAsync(string name, ChannelStore store, ChannelQueries queries, bool compress, CancellationToken cancellationToken)
    {
        if (await CurrentAsync(name, store, cancellationToken) is not { } current)
        {
            return NotFoundText($"Channel '{name}' doesn't exist or has no revision yet.");
        }
        var text = string.Concat((await queries.StorePathsAsync(current.EvaluationId, cancellationToken)).Select(p => p + "\n"));
        return compress
            ? Results.Bytes(await Xz.CompressAsync(Encoding.UTF8.GetBytes(text), cancellationToken), "application/x-xz")
            : Results.Text(text, "text/plain");
    }

    private static async Task<ChannelRevision?> CurrentAsync(string name, ChannelStore store, CancellationToken cancellationToken) =>
        await store.FindAsync(name, cancellationToken) is { } channel ? await store.CurrentAsync(channel.Id, cancellationToken) : null;

    private static IResult Missing(HttpContext http, string name) =>
        Negotiation.WantsJson(http.Request) ? HydraJson.NotFound($"Channel '{name}' doesn't exist.") : NotFoundPage.Result($"Channel '{name}' doesn't exist.");

    private static IResult NotFoundText(string message) => Results.Text(message + "\n", "text/plain", statusCode: StatusCodes.Status404NotFound);
}
