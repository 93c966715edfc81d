using System.Globalization;
using Hydra.Queue.Workers;
using Hydra.Web.Pages.Shared;
using Microsoft.AspNetCore.Components;

namespace Hydra.Web.Pages.Status;

/// <summary><c>GET /machines</c>: every builder worker, what it builds, how busy it is, and whether it may claim.</summary>
public sealed class MachinesPage : PageComponent
{
    [Parameter, EditorRequired] public IReadOnlyList<WorkerStatus> Workers { get; set; } = null!;

    /// <summary>What each worker is building now, by worker name.</summary>
    [Parameter, EditorRequired] public ILookup<string, CurrentStep> Steps { get; set; } = null!;

    protected override string Title => "Machines";

    protected override void Breadcrumbs(Html html) => html.Link("/", "Projects").Text(" › ").Text("Machines");

    protected override void Body(Html html)
    {
        html.Table(Workers, "No workers yet. Create one with 'hydra-server create-worker NAME' and start hydra-builder with its token.",
            ["Name", "Systems", "Features", "Jobs", "Speed", "Last seen", "State"], worker =>
            {
                html.Element("td", worker.Name);
                html.Open("td").Element("tt", string.Join(", ", worker.Systems)).Close();
                var mandatory = worker.MandatoryFeatures.Select(f => f + " (mandatory)");
                html.Element("td", string.Join(", ", worker.Features.Concat(mandatory)));
                html.Element("td", $"{Widgets.Number(worker.RunningSteps)} / {Widgets.Number(worker.MaxJobs)}", "num");
                html.Element("td", worker.SpeedFactor.ToString("G", CultureInfo.InvariantCulture), "num");
                html.Open("td").Time(worker.LastSeenAt, Now).Close();
                html.Open("td");
                State(html, worker);
                html.Close();
            }, ["Jobs", "Speed"]);

        html.Element("h2", "Building now");
        var current = Workers.SelectMany(w => Steps[w.Name]).ToList();
        html.Table(current, "No worker is building anything: the queue page says what is waiting.",
            ["Worker", "Step", "Build", "Running for"], step =>
            {
                html.Element("td", step.Worker);
                html.Open("td").StorePath(step.DrvPath).Close();
                html.Open("td");
                if (step.BuildId is { } build)
                {
                    html.Link($"/build/{build}", Widgets.Number(build)).Text(" (").Link($"/build/{build}/step/{step.StepId}/log", "log").Text(")");
                }
                html.Close();
                html.Open("td").Open("span").Attr("title", Formatting.Iso(step.StartedAt)).Text(Formatting.Duration(Now - step.StartedAt)).Close().Close();
            });
    }

    private void State(Html html, WorkerStatus worker)
    {
        if (!worker.Enabled)
        {
            html.Label("disabled", "failed");
        }
        else if (worker.QuarantinedUntil is { } until)
        {
            html.Label("quarantined", "failed").Text(" until ").Time(until, Now);
        }
        else
        {
            html.Label("enabled", "ok");
        }
        if (worker.RecentFailures > 0 || worker.QuarantinedUntil is not null)
        {
            html.Open("div", "muted").Text($"{Widgets.Number(worker.RecentFailures)} aborted step(s) since its last success");
            if (worker.LastFailure is { } failure)
            {
                html.Text("; last: ").Element("code", failure);
            }
            html.Close();
        }
    }
}
