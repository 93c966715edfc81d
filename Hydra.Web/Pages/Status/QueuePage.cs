using Hydra.Core.Data.Entities;
using Hydra.Web.Pages.Shared;
using Microsoft.AspNetCore.Components;

namespace Hydra.Web.Pages.Status;

/// <summary><c>GET /queue</c>: what the farm has left to build, by system and by jobset, and the queued builds.</summary>
public sealed class QueuePage : PageComponent
{
    [Parameter, EditorRequired] public QueuePageModel Model { get; set; } = null!;

    protected override string Title => "Queue";

    protected override void Breadcrumbs(Html html) => html.Link("/", "Projects").Text(" › ").Text("Queue");

    protected override void Body(Html html)
    {
        var summary = Model.Summary;
        html.Open("p", "muted").Text("Counts as of ").Time(summary.ComputedAt, Now)
            .Text($" (refreshed every {Widgets.Number((long)QueuePageQuery.SummaryLifetime.TotalSeconds)} seconds). Workers and their slots: ")
            .Link("/machines", "machines").Text(".").Close();

        html.Element("h2", "By system");
        html.Table(summary.Systems, "Nothing to build: every step has finished. New evaluations put their steps here.",
            ["System", "Waiting for dependencies", "Runnable", "Building", "Oldest runnable since"], row =>
            {
                html.Open("td").Link($"/queue?system={Uri.EscapeDataString(row.System)}", row.System).Close();
                html.Element("td", Widgets.Number(row.Waiting), "num");
                html.Element("td", Widgets.Number(row.Runnable), "num");
                html.Element("td", Widgets.Number(row.Running), "num");
                html.Open("td").Time(row.OldestRunnableSince, Now, "").Close();
            }, ["Waiting for dependencies", "Runnable", "Building"]);

        html.Element("h2", "By jobset");
        html.Table(summary.Jobsets, "No jobset has queued builds.", ["Jobset", "Queued builds", "Oldest queued"], row =>
        {
            html.Open("td").Link($"/queue?jobset={Uri.EscapeDataString($"{row.Project}:{row.Jobset}")}", $"{row.Project}:{row.Jobset}").Close();
            html.Element("td", Widgets.Number(row.Queued), "num");
            html.Open("td").Time(row.OldestQueuedAt, Now).Close();
        }, ["Queued builds"]);

        html.Element("h2", Model.System is { } s ? $"Queued builds for {s}" : Model.Jobset is { } j ? $"Queued builds of {j}" : "Queued builds");
        if (Model.System is not null || Model.Jobset is not null)
        {
            html.Open("p").Link("/queue", "Show every queued build").Close();
        }
        var empty = Model.After is null
            ? "No queued builds here. Trigger an evaluation from a jobset's page to queue its builds."
            : "No more queued builds after this point.";
        html.Table(Model.Builds, empty, ["#", "Job", "System", "State", "Priority", "Queued"], build =>
        {
            html.Open("td").Link($"/build/{build.Id}", Widgets.Number(build.Id)).Close();
            html.Open("td").Link($"/jobset/{build.Project}/{build.Jobset}", $"{build.Project}:{build.Jobset}").Text(":").Text(build.Job).Close();
            html.Open("td").Element("tt", build.System).Close();
            html.Open("td");
            switch (build.TopStepState)
            {
                case StepState.Running:
                    html.Badge(false, null, "Building");
                    break;
                case StepState.Pending:
                    html.Badge(false, null, "Waiting for dependencies");
                    break;
                default:
                    html.Badge(false, null, "Queued");
                    break;
            }
            html.Close();
            html.Element("td", build.GlobalPriority > 0 ? $"{Widgets.Number(build.Priority)} (bumped)" : Widgets.Number(build.Priority), "num");
            html.Open("td").Time(build.QueuedAt, Now).Close();
        }, ["Priority"]);
        html.KeysetPager(Filtered("/queue"), Model.After is not null, Model.NextAfter);
    }

    private string Filtered(string path) =>
        Model.System is { } system ? $"{path}?system={Uri.EscapeDataString(system)}"
        : Model.Jobset is { } jobset ? $"{path}?jobset={Uri.EscapeDataString(jobset)}"
        : path;
}
