using System.Text.RegularExpressions;
using Hydra.Queue.Workers;
using Hydra.Web.Pages.Admin;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Hydra.Web.Api.Admin;

/// <summary>
/// Worker tokens for admins, over the queue's own operations (<see cref="WorkerTokens"/>, <see cref="WorkerDirectory"/>):
/// <c>GET /admin/workers</c> (page or JSON), <c>POST /admin/workers</c> (a new worker's token, shown once),
/// <c>POST /admin/workers/{name}/rotate</c>, <c>.../disable</c> and <c>.../enable</c> (which also lifts a quarantine).
/// </summary>
internal static partial class AdminWorkerEndpoints
{
    private const string PageUrl = "/admin/workers";

    public static RouteGroupBuilder MapAdminWorkerEndpoints(this RouteGroupBuilder routes)
    {
        routes.MapGet(PageUrl, ListAsync);
        routes.MapPost(PageUrl, (HttpContext http, WorkerTokens tokens, WorkerDirectory directory, IAntiforgery antiforgery, CancellationToken ct) =>
            IssueTokenAsync(null, http, tokens, directory, antiforgery, ct)).DisableAntiforgery();
        routes.MapPost($"{PageUrl}/{{name}}/rotate", (string name, HttpContext http, WorkerTokens tokens, WorkerDirectory directory, IAntiforgery antiforgery, CancellationToken ct) =>
            IssueTokenAsync(name, http, tokens, directory, antiforgery, ct)).DisableAntiforgery();
        routes.MapPost($"{PageUrl}/{{name}}/disable", (string name, HttpContext http, WorkerDirectory directory, IAntiforgery antiforgery, CancellationToken ct) =>
            SetEnabledAsync(name, false, http, directory, antiforgery, ct)).DisableAntiforgery();
        routes.MapPost($"{PageUrl}/{{name}}/enable", (string name, HttpContext http, WorkerDirectory directory, IAntiforgery antiforgery, CancellationToken ct) =>
            SetEnabledAsync(name, true, http, directory, antiforgery, ct)).DisableAntiforgery();
        return routes;
    }

    private static async Task<IResult> ListAsync(string? after, HttpContext http, WorkerDirectory directory, CancellationToken cancellationToken)
    {
        if (AdminAccess.Gate(http, PageUrl) is { } refusal)
        {
            return refusal;
        }
        var (workers, nextAfter) = await PageOfAsync(directory, after, cancellationToken);
        return Negotiation.WantsJson(http.Request)
            ? HydraJson.Ok(new { workers, next = nextAfter })
            : Page(workers, after, nextAfter, null, null, null, StatusCodes.Status200OK);
    }

    /// <summary>
    /// A new worker (<paramref name="rotate"/> null: the name comes from the body and must be new) or a new token for an
    /// existing one. The answer shows the token once and must not be cached.
    /// </summary>
    private static async Task<IResult> IssueTokenAsync(
        string? rotate, HttpContext http, WorkerTokens tokens, WorkerDirectory directory, IAntiforgery antiforgery, CancellationToken cancellationToken)
    {
        if (await CheckAsync(http, antiforgery, rotate is null ? "create worker tokens" : "rotate worker tokens") is { } refusal)
        {
            return refusal;
        }
        var name = rotate ?? (await RequestFields.ReadAsync(http.Request, cancellationToken))?.GetString("name")?.Trim() ?? "";
        var exists = (await directory.ListAsync(cancellationToken)).Any(w => w.Name == name);
        var (error, status) = rotate is null && !NamePattern().IsMatch(name)
                ? ($"Invalid worker name '{name}': use 1 to 100 letters, digits, '_', '.' or '-'.", StatusCodes.Status400BadRequest)
            : rotate is null && exists ? ($"A worker named '{name}' already exists; rotate its token in the list instead.", StatusCodes.Status409Conflict)
            : rotate is not null && !exists ? ($"There is no worker '{name}'.", StatusCodes.Status404NotFound)
            : ((string?)null, 0);
        if (error is not null)
        {
            return PostActions.IsForm(http.Request)
                ? await PageAsync(directory, error, null, null, status, cancellationToken)
                : HydraJson.Error(status, error);
        }
        // Rotating re-enables a disabled worker (the queue's rule): a new token is handed out to be used.
        var token = await tokens.CreateOrRotateAsync(name, cancellationToken);
        http.Response.Headers.CacheControl = "no-store";
        return PostActions.IsForm(http.Request)
            ? await PageAsync(directory, null, token, name, StatusCodes.Status200OK, cancellationToken)
            : HydraJson.Status(new { name, token }, rotate is null ? StatusCodes.Status201Created : StatusCodes.Status200OK);
    }

    private static async Task<IResult> SetEnabledAsync(
        string name, bool enabled, HttpContext http, WorkerDirectory directory, IAntiforgery antiforgery, CancellationToken cancellationToken)
    {
        if (await CheckAsync(http, antiforgery, enabled ? "enable workers" : "disable workers") is { } refusal)
        {
            return refusal;
        }
        return await directory.SetEnabledAsync(name, enabled, cancellationToken)
            ? PostActions.Done(http.Request, HydraJson.Ok(new { name, enabled }), PageUrl)
            : PostActions.Refuse(http.Request, StatusCodes.Status404NotFound, "Not found", $"There is no worker '{name}'.", PageUrl);
    }

    private static Task<IResult?> CheckAsync(HttpContext http, IAntiforgery antiforgery, string what) =>
        PostActions.CheckAsync(http, antiforgery, AdminAccess.IsAdmin(http), $"Only admins may {what}.", what, PageUrl);

    /// <summary>
    /// A keyset page by name. The queue lists every worker (a farm has tens to hundreds), so the page is cut from
    /// that list rather than by a second query of the same table.
    /// </summary>
    private static async Task<(IReadOnlyList<WorkerStatus> Workers, string? NextAfter)> PageOfAsync(
        WorkerDirectory directory, string? after, CancellationToken cancellationToken)
    {
        var rest = (await directory.ListAsync(cancellationToken))
            .Where(w => after is null || string.CompareOrdinal(w.Name, after) > 0)
            .OrderBy(w => w.Name, StringComparer.Ordinal).Take(AdminWorkersPage.PageSize + 1).ToList();
        return rest.Count > AdminWorkersPage.PageSize
            ? (rest[..AdminWorkersPage.PageSize], rest[AdminWorkersPage.PageSize - 1].Name)
            : (rest, null);
    }

    private static async Task<IResult> PageAsync(
        WorkerDirectory directory, string? error, string? token, string? tokenWorker, int status, CancellationToken cancellationToken)
    {
        var (workers, nextAfter) = await PageOfAsync(directory, null, cancellationToken);
        return Page(workers, null, nextAfter, error, token, tokenWorker, status);
    }

    private static RazorComponentResult<AdminWorkersPage> Page(
        IReadOnlyList<WorkerStatus> workers, string? after, string? nextAfter, string? error, string? token, string? tokenWorker, int status) =>
        new(new { Workers = workers, After = after, NextAfter = nextAfter, Error = error, NewToken = token, NewTokenWorker = tokenWorker }) { StatusCode = status };

    [GeneratedRegex("^[A-Za-z0-9_.-]{1,100}$")]
    private static partial Regex NamePattern();
}
