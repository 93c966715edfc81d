using Hydra.Core.Notifications;
using Hydra.Web.Pages.Shared;
using Microsoft.AspNetCore.Components;

namespace Hydra.Web.Pages.Admin;

/// <summary>
/// <c>GET /admin/notifications</c>: deliveries that failed for good or are being retried (or a chosen state), of one
/// project or sink when filtered, with the last error and a Retry button each, and counts by state.
/// </summary>
public sealed class NotificationsPage : PageComponent
{
    public static readonly string[] Filters = ["problems", "failed", "retrying", "pending", "delivered"];

    [Parameter, EditorRequired] public IReadOnlyList<NotificationDeliveries.Row> Rows { get; set; } = [];
    [Parameter, EditorRequired] public NotificationDeliveries.Counts Counts { get; set; } = new(0, 0, 0, 0, 0);
    [Parameter, EditorRequired] public string Filter { get; set; } = "problems";
    [Parameter] public string? Project { get; set; }
    [Parameter] public long? Sink { get; set; }
    [Parameter] public bool NotFirst { get; set; }
    [Parameter] public long? NextBefore { get; set; }

    protected override string Title => "Notifications";

    protected override void Body(Html html)
    {
        html.AdminTabs(NotificationEndpoints.PageUrl);
        html.Open("p")
            .Text($"{Counts.Pending} pending ({Counts.Retrying} after a failed attempt), {Counts.Delivered} delivered, {Counts.Failed} failed, in all projects.")
            .Close();
        html.Open("nav", "tabs").Attr("aria-label", "Delivery state");
        foreach (var filter in Filters)
        {
            html.Open("a", filter == Filter ? "tab current" : "tab").Attr("href", Url(filter)).Attr("aria-current", filter == Filter ? "page" : null)
                .Text(filter).Close();
        }
        html.Close();
        FilterForm(html);
        if (FormToken is { } token && Counts.Failed > 0)
        {
            html.PostButton($"{NotificationEndpoints.PageUrl}/retry-failed", token, "Retry all failed", "Make every failed delivery due now");
        }
        html.Table(Rows, EmptyText(), ["Id", "Created", "Sink", "Event", "State", "Attempts", "Next attempt", "Last error", ""], row =>
            {
                html.Element("td", Widgets.Number(row.Id))
                    .Open("td").Time(row.CreatedAt, Now).Close()
                    .Open("td").Text($"{row.SinkKind} {row.SinkName} ".Replace("  ", " ", StringComparison.Ordinal))
                    .Link($"/project/{row.Project}/notifications", row.Project + (row.Jobset is null ? "" : ":" + row.Jobset))
                    .Text(" ").Link(Url(Filter, row.Project, row.SinkId), "(only this sink)").Close()
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
                    .Open("td").Label(row.State, row.State switch { "delivered" => "ok", "failed" => "failed", _ => "queued" }).Close()
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
        html.KeysetPager(Url(Filter), NotFirst, NextBefore, key: "before");
    }

    /// <summary>A GET form: the state stays, project and sink narrow the list. No token, since it changes nothing.</summary>
    private void FilterForm(Html html)
    {
        html.Open("form", "filters").Attr("method", "get").Attr("action", NotificationEndpoints.PageUrl).Attr("id", "delivery-filters")
            .Open("input").Attr("type", "hidden").Attr("name", "filter").Attr("value", Filter).Close()
            .Open("label").Text("Project ").Open("input").Attr("name", "project").Attr("id", "filter-project").Attr("value", Project ?? "").Close().Close()
            .Open("label").Text(" Sink id ").Open("input").Attr("name", "sink").Attr("id", "filter-sink").Attr("type", "number").Attr("min", "1")
            .Attr("value", Sink is { } sink ? Widgets.Number(sink) : "").Close().Close()
            .Text(" ").Open("button").Attr("type", "submit").Text("Filter").Close();
        if (Project is not null || Sink is not null)
        {
            html.Text(" ").Link(Url(Filter, null, null), "Clear filters");
        }
        html.Close();
    }

    /// <summary>What an empty list means, and what to do about it.</summary>
    private string EmptyText()
    {
        if (Counts.Sinks == 0)
        {
            return "No notification sinks are configured, so nothing is sent. A project's maintainers add email, Slack, Matrix, webhook, "
                   + "RunCommand or forge-status sinks on the project's page, under Notifications (/project/<name>/notifications).";
        }
        var scope = (Project is null ? "" : $" for project {Project}") + (Sink is { } sink ? $" of sink {sink}" : "");
        var clear = scope.Length > 0 ? " Clear the filters to see every project." : "";
        return Filter == "problems"
            ? $"No failed or retrying deliveries{scope}: everything went out. Pick \"delivered\" to see what was sent.{clear}"
            : $"No {Filter} deliveries{scope}.{clear}";
    }

    private string Url(string filter) => Url(filter, Project, Sink);

    private static string Url(string filter, string? project, long? sink) =>
        $"{NotificationEndpoints.PageUrl}?filter={filter}"
        + (project is null ? "" : $"&project={Uri.EscapeDataString(project)}")
        + (sink is { } id ? $"&sink={Widgets.Number(id)}" : "");
}
