using Hydra.Core.Notifications;
using Hydra.Web.Pages.Shared;
using Microsoft.AspNetCore.Components;

namespace Hydra.Web.Pages.Notifications;

/// <summary>
/// <c>GET /project/{p}/notifications</c> in a browser (scripts get the JSON list): the project's sinks with how their
/// deliveries stand, buttons to test, turn on or off and edit each, and the kinds one can add. For those who
/// administer the project; secrets are never on the page.
/// </summary>
public sealed class SinkListPage : PageComponent
{
    [Parameter, EditorRequired] public string Project { get; set; } = "";
    [Parameter, EditorRequired] public IReadOnlyList<NotificationSinkStore.Listed> Sinks { get; set; } = [];
    [Parameter, EditorRequired] public IReadOnlyDictionary<long, NotificationSinkStore.DeliveryState> States { get; set; } =
        new Dictionary<long, NotificationSinkStore.DeliveryState>();

    /// <summary>The sink a test event was just queued for, to say so.</summary>
    [Parameter] public long? Tested { get; set; }

    private static readonly Dictionary<string, string> KindHints = new()
    {
        [NotificationSinkKinds.Email] = "mail when a build's status changes, to the jobset's override or the build's maintainers",
        [NotificationSinkKinds.Slack] = "a message through an incoming webhook",
        [NotificationSinkKinds.Matrix] = "a message in a room",
        [NotificationSinkKinds.Webhook] = "every event POSTed as signed JSON",
        [NotificationSinkKinds.RunCommand] = "a command run for each finished build: how a team deploys what passed",
        [NotificationSinkKinds.GitHub] = "commit statuses and a check run per evaluation",
        [NotificationSinkKinds.Gitea] = "commit statuses",
        [NotificationSinkKinds.GitLab] = "commit statuses",
    };

    protected override string Title => $"Notifications of {Project}";

    protected override void Breadcrumbs(Html html) =>
        html.Link("/", "Projects").Text(" › ").Link($"/project/{Project}", Project).Text(" › notifications");

    protected override void Body(Html html)
    {
        if (Tested is { } tested && Sinks.FirstOrDefault(s => s.Id == tested) is { } sink)
        {
            html.Element("p", $"A test event is queued for {Name(sink)}; reload to see how its delivery went.", "notice");
        }
        html.Element("p", "Events of this project's jobsets go out through a durable outbox, retried until they are delivered. "
                          + "\"Send test\" queues a test event for one sink: webhooks, Slack, Matrix and email send it; RunCommand and "
                          + "forge sinks record it as skipped, since it has no build.", "hint");
        var token = FormToken;
        html.Table(Sinks, "No notification sinks yet: nothing is sent for this project. Add one below.",
            ["Sink", "Jobsets", "Events", "Jobs", "Last delivery", "Open", ""], sink =>
            {
                html.Open("td").Link($"/project/{Project}/notifications/{sink.Id}/edit", Name(sink));
                if (!sink.Enabled)
                {
                    html.Text(" ").Label("disabled");
                }
                html.Close()
                    .Element("td", sink.Jobset ?? "all")
                    .Element("td", string.Join(", ", sink.Events))
                    .Open("td").Element("code", sink.Jobs).Close();
                LastDelivery(html, States.GetValueOrDefault(sink.Id));
                html.Element("td", Open(States.GetValueOrDefault(sink.Id)));
                html.Open("td");
                if (token is not null)
                {
                    var url = $"/project/{Project}/notifications/{sink.Id}";
                    html.PostButton($"{url}/test", token, "Send test", $"Queue a test event for {Name(sink)}")
                        .Text(" ")
                        .PostButton(sink.Enabled ? $"{url}/disable" : $"{url}/enable", token, sink.Enabled ? "Disable" : "Enable",
                            sink.Enabled ? "Stop sending to this sink" : "Send to this sink again");
                }
                html.Close();
            });

        html.Element("h2", "Add a sink");
        html.Open("ul", "sink-kinds");
        foreach (var kind in NotificationSinkKinds.All)
        {
            html.Open("li").Link($"/project/{Project}/notifications/add?kind={kind}", NotificationSinkFields.Describe(kind))
                .Text($": {KindHints[kind]}").Close();
        }
        html.Close();
    }

    private static string Name(NotificationSinkStore.Listed sink) =>
        $"{NotificationSinkFields.Describe(sink.Kind)}{(sink.Name.Length > 0 ? " " + sink.Name : "")} (#{sink.Id})";

    private void LastDelivery(Html html, NotificationSinkStore.DeliveryState? state)
    {
        html.Open("td");
        if (state?.LastState is not { } last)
        {
            html.Element("span", "none yet", "muted");
        }
        else
        {
            html.Label(last, last switch { "delivered" => "ok", "failed" => "failed", _ => "queued" }).Text(" ").Time(state.LastAt, Now);
            if (state.LastMessage is { } message)
            {
                html.Element("div", message, "hint");
            }
        }
        html.Close();
    }

    private static string Open(NotificationSinkStore.DeliveryState? state) =>
        state is null || state.Failed + state.Pending == 0 ? "" : $"{state.Failed} failed, {state.Pending} pending";
}
