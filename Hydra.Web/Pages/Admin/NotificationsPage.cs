using Hydra.Core.Notifications;
using Hydra.Web.Pages.Shared;
using Microsoft.AspNetCore.Components;

namespace Hydra.Web.Pages.Admin;

/// <summary>
/// <c>GET /admin/notifications</c>: deliveries that failed for good or are being retried (or a chosen state),
/// with the last error and a Retry button each, and counts by state.
/// </summary>
public sealed class NotificationsPage : PageComponent
{
    public static readonly string[] Filters = ["problems", "failed", "retrying", "pending", "delivered"];

    [Parameter, EditorRequired] public IReadOnlyList<NotificationDeliveries.Row> Rows { get; set; } = [];
    [Parameter, EditorRequired] public NotificationDeliveries.Counts Counts { get; set; } = new(0, 0, 0, 0);
    [Parameter, EditorRequired] public string Filter { get; set; } = "problems";
    [Parameter] public bool NotFirst { get; set; }
    [Parameter] public long? NextBefore { get; set; }

    protected override string Title => "Notifications";

    protected override void Body(Html html)
    {
        html.AdminTabs(NotificationEndpoints.PageUrl);
        html.Open("p")
            .Text($"{Counts.Pending} pending ({Counts.Retrying} after a failed attempt), {Counts.Delivered} delivered, {Counts.Failed} failed.")
            .Close();
        html.Open("nav", "tabs");
        foreach (var filter in Filters)
        {
            html.Link($"{NotificationEndpoints.PageUrl}?filter={filter}", filter, filter == Filter ? "active" : null);
        }
        html.Close();
        if (FormToken is { } token && Counts.Failed > 0)
        {
            html.PostButton($"{NotificationEndpoints.PageUrl}/retry-failed", token, "Retry all failed", "Make every failed delivery due now");
        }
        html.Table(Rows, Filter == "problems" ? "No failed or retrying deliveries." : $"No {Filter} deliveries.",
            ["Id", "Created", "Sink", "Event", "State", "Attempts", "Next attempt", "Last error", ""], row =>
            {
                html.Element("td", Widgets.Number(row.Id))
                    .Open("td").Time(row.CreatedAt, Now).Close()
                    .Element("td", $"{row.SinkKind} {row.SinkName} ({row.Project}{(row.Jobset is null ? "" : ":" + row.Jobset)})".Replace("  ", " ", StringComparison.Ordinal))
                    .Open("td").Text(row.EventKind + " ");
                if (row.BuildId is { } build)
                {
                    html.Link($"/build/{build}", $"build {build}").Text(row.Job is null ? "" : $" ({row.Job})");
                }
                else if (row.EvaluationId is { } evaluation)
                {
                    html.Link($"/eval/{evaluation}", $"evaluation {evaluation}");
                }
                html.Close()
                    .Open("td").Label(row.State, row.State switch { "delivered" => "success", "failed" => "failure", _ => "queued" }).Close()
                    .Element("td", Widgets.Number(row.Attempts))
                    .Open("td").Time(row.State is "pending" or "retrying" ? row.NextAttemptAt : null, Now, "").Close()
                    .Element("td", row.LastError ?? row.Note)
                    .Open("td");
                if (FormToken is { } formToken && row.State is "failed" or "retrying")
                {
                    html.PostButton($"{NotificationEndpoints.PageUrl}/{row.Id}/retry", formToken, "Retry", "Try this delivery again now");
                }
                html.Close();
            });
        html.KeysetPager($"{NotificationEndpoints.PageUrl}?filter={Filter}", NotFirst, NextBefore, key: "before");
    }
}
