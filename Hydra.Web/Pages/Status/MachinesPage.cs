using System.Globalization;
using Hydra.Queue.Workers;
using Hydra.Web.Pages.Shared;
using Microsoft.AspNetCore.Components;

namespace Hydra.Web.Pages.Status;

/// <summary><c>GET /machines</c>: every builder worker, what it builds, how busy it is, and whether it may claim.</summary>
public sealed class MachinesPage : PageComponent
{
    [Parameter, EditorRequired] public IReadOnlyList<WorkerStatus> Workers { get; set; } = null!;

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
