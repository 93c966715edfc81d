using Hydra.Core.Notifications;
using Hydra.Web.Api;
using Hydra.Web.Auth;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Hydra.Web.Pages.Admin;

/// <summary>
/// The notification outbox for administrators: <c>GET /admin/notifications</c> (page or JSON, <c>?filter=</c>,
/// <c>?project=</c>, <c>?sink=</c> and <c>?before=</c>), <c>POST /admin/notifications/{id}/retry</c> and <c>POST /admin/notifications/retry-failed</c>.
/// </summary>
internal static class NotificationEndpoints
{
    public const string PageUrl = "/admin/notifications";
    private const int PageSize = 50;

    public static RouteGroupBuilder MapNotificationEndpoints(this RouteGroupBuilder routes)
    {
        routes.MapGet(PageUrl, ListAsync);
        // Antiforgery tokens are checked by PostActions, after the admin check, so a refusal says why.
        routes.MapPost($"{PageUrl}/{{id:long}}/retry", RetryAsync).DisableAntiforgery();
        routes.MapPost($"{PageUrl}/retry-failed", RetryFailedAsync).DisableAntiforgery();
        return routes;
    }

    private static async Task<IResult> ListAsync(
        HttpContext http, NotificationDeliveries deliveries, string? filter, string? project, long? sink, long? before, CancellationToken cancellationToken)
    {
        if (!http.User.IsInRole(HydraRoles.Admin))
        {
            if (http.User.Identity?.IsAuthenticated != true && !Negotiation.WantsJson(http.Request))
            {
                return Results.Redirect($"/login?returnUrl={Uri.EscapeDataString(PageUrl)}");
            }
            return Negotiation.WantsJson(http.Request)
                ? HydraJson.Error(StatusCodes.Status403Forbidden, "The notification outbox needs the admin role.")
                : ErrorPage.Result(StatusCodes.Status403Forbidden, "Forbidden", "The notification outbox needs the admin role.", "/");
        }
        var chosen = NotificationsPage.Filters.Contains(filter) ? filter! : "problems";
        project = string.IsNullOrWhiteSpace(project) ? null : project.Trim();
        var rows = await deliveries.ListAsync(chosen, project, sink, before, PageSize + 1, cancellationToken);
        var page = rows.Take(PageSize).ToList();
        long? next = rows.Count > PageSize ? page[^1].Id : null;
        var counts = await deliveries.CountAsync(cancellationToken);
        if (Negotiation.WantsJson(http.Request))
        {
            return HydraJson.Ok(new
            {
                counts,
                deliveries = page.Select(r => new
                {
                    r.Id, r.State, r.Attempts, nextAttempt = HydraJson.Unix(r.NextAttemptAt), lastAttempt = HydraJson.Unix(r.LastAttemptAt),
                    r.LastError, r.Note, sink = new { id = r.SinkId, kind = r.SinkKind, name = r.SinkName }, r.Project, r.Jobset,
                    @event = r.EventKind, build = r.BuildId, evaluation = r.EvaluationId, r.Job, created = HydraJson.Unix(r.CreatedAt),
                }),
                next,
            });
        }
        return new RazorComponentResult<NotificationsPage>(new
        {
            Rows = page, Counts = counts, Filter = chosen, Project = project, Sink = sink, NotFirst = before is not null, NextBefore = next,
        });
    }

    private static async Task<IResult> RetryAsync(long id, HttpContext http, NotificationDeliveries deliveries, IAntiforgery antiforgery, CancellationToken cancellationToken)
    {
        var refusal = await PostActions.CheckAsync(http, antiforgery, http.User.IsInRole(HydraRoles.Admin),
            "Retrying notifications needs the admin role.", "retry notifications", PageUrl);
        if (refusal is not null)
        {
            return refusal;
        }
        return await deliveries.RetryAsync(id, cancellationToken)
            ? PostActions.Done(http.Request, HydraJson.Ok(new { retried = id }), PageUrl)
            : PostActions.Refuse(http.Request, StatusCodes.Status404NotFound, "Not found", $"No failed or pending delivery {id}.", PageUrl);
    }

    private static async Task<IResult> RetryFailedAsync(HttpContext http, NotificationDeliveries deliveries, IAntiforgery antiforgery, CancellationToken cancellationToken)
    {
        var refusal = await PostActions.CheckAsync(http, antiforgery, http.User.IsInRole(HydraRoles.Admin),
            "Retrying notifications needs the admin role.", "retry notifications", PageUrl);
        if (refusal is not null)
        {
            return refusal;
        }
        var retried = await deliveries.RetryAllFailedAsync(cancellationToken);
        return PostActions.Done(http.Request, HydraJson.Ok(new { retried }), PageUrl);
    }
}
