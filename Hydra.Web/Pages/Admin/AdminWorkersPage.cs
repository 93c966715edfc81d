using Hydra.Queue.Workers;
using Hydra.Web.Pages.Shared;
using Microsoft.AspNetCore.Components;

namespace Hydra.Web.Pages.Admin;

/// <summary>
/// <c>GET /admin/workers</c> (admin role): the registered workers by name (<c>?after=NAME</c>, 50 a page) with their
/// state and buttons to rotate the token, disable, enable or lift a quarantine; the form for a new worker token,
/// and a token just made, shown once.
/// </summary>
public sealed class AdminWorkersPage : PageComponent
{
    public const int PageSize = 50;

    [Parameter, EditorRequired] public IReadOnlyList<WorkerStatus> Workers { get; set; } = [];

    [Parameter] public string? After { get; set; }

    [Parameter] public string? NextAfter { get; set; }

    [Parameter] public string? Error { get; set; }

    /// <summary>A token just created or rotated, and its worker: shown this once, stored only as a hash.</summary>
    [Parameter] public string? NewToken { get; set; }

    [Parameter] public string? NewTokenWorker { get; set; }

    protected override string Title => "Workers";

    protected override void Breadcrumbs(Html html) => html.Link("/", "Projects").Text(" › ").Link("/admin", "admin").Text(" › workers");

    protected override void Body(Html html)
    {
        html.AdminTabs("/admin/workers");
        if (Error is not null)
        {
            html.Element("p", Error, "alert");
        }
        if (NewToken is not null)
        {
            html.Open("div", "notice")
                .Element("p", $"The token of worker {NewTokenWorker}. Copy it now: it is not shown again.")
                .Open("pre").Attr("id", "new-worker-token").Text(NewToken).Close()
                .Open("p").Text("Start the builder with ").Element("code", $"hydra-builder --server URL --token-file FILE --name {NewTokenWorker}")
                .Text("; the token is also the password of the binary cache upload.").Close()
                .Close();
        }
        if (FormToken is not { } token)
        {
            return;
        }
        html.Table(Workers, After is null
                ? "No workers yet. Create a token below and start hydra-builder with it; the worker shows up here on its first call."
                : "No more workers. Go back to the first page.",
            ["Worker", "Systems", "Steps / slots", "Last seen", "State", ""], worker =>
            {
                var path = $"/admin/workers/{Uri.EscapeDataString(worker.Name)}";
                html.Open("td").Element("strong", worker.Name).Close()
                    .Element("td", worker.Systems.Count == 0 ? "(not reported yet)" : string.Join(", ", worker.Systems))
                    .Element("td", $"{Widgets.Number(worker.RunningSteps)} / {Widgets.Number(worker.MaxJobs)}", "num")
                    .Open("td").Time(worker.LastSeenAt, Now).Close()
                    .Open("td");
                State(html, worker);
                html.Close().Open("td").Open("div", "actions")
                    .PostButton($"{path}/rotate", token, "Rotate token", "Give this worker a new token; the old one stops working at once");
                if (!worker.Enabled)
                {
                    html.PostButton($"{path}/enable", token, "Enable", "Let this worker claim steps again");
                }
                else
                {
                    if (worker.QuarantinedUntil is not null || worker.RecentFailures > 0)
                    {
                        html.PostButton($"{path}/enable", token, "Clear quarantine", "Forget this worker's failures and lift its quarantine");
                    }
                    html.PostButton($"{path}/disable", token, "Disable", "No new steps for this worker; it finishes what it holds");
                }
                html.Close().Close();
            });
        html.KeysetPager("/admin/workers", After is not null, NextAfter);

        html.Element("h2", "New worker token");
        html.OpenPostForm("/admin/workers", token, "create-worker")
            .Field("Worker name", "name", null, "The builder's --name; letters, digits, '_', '.', '-'.", required: true, pattern: "[A-Za-z0-9_.\\-]+")
            .Open("button").Attr("type", "submit").Text("Create worker token").Close()
            .Close();
    }

    private void State(Html html, WorkerStatus worker)
    {
        if (!worker.Enabled)
        {
            html.Label("disabled", "failed");
        }
        else if (worker.QuarantinedUntil is { } until)
        {
            var iso = Formatting.Iso(until);
            html.Label("quarantined", "failed").Text(" ").Open("time").Attr("datetime", iso).Attr("title", iso).Text("ends " + Formatting.Until(until, Now)).Close();
        }
        else
        {
            html.Label("enabled", "ok");
        }
        if (worker.RecentFailures > 0)
        {
            html.Open("br").Close().Element("small", $"{Widgets.Number(worker.RecentFailures)} aborted steps since its last success; last: {worker.LastFailure}", "hint");
        }
    }
}
