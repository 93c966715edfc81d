using Hydra.Web.Pages.Shared;
using Microsoft.AspNetCore.Components;

namespace Hydra.Web.Pages.Status;

/// <summary><c>GET /status/evaluations</c>: running evaluations with their phase, and the triggered jobsets waiting.</summary>
public sealed class EvaluationStatusPage : PageComponent
{
    [Parameter, EditorRequired] public EvaluationStatusModel Model { get; set; } = null!;

    protected override string Title => "Evaluations in progress";

    protected override void Breadcrumbs(Html html) => html.Link("/", "Projects").Text(" › ").Text("Evaluations");

    protected override void Body(Html html)
    {
        html.Table(Model.Running, "No evaluations are running.", ["Jobset", "Phase", "Since", "Started"], row =>
        {
            html.Open("td").Link($"/jobset/{row.Project}/{row.Jobset}", $"{row.Project}:{row.Jobset}").Close();
            html.Open("td").Label(row.Phase, "running").Close();
            html.Open("td").Time(row.PhaseSince, Now, "").Close();
            html.Open("td").Time(row.StartedAt, Now).Close();
        });

        html.Element("h2", "Queued for evaluation");
        html.Table(Model.Queued, "No jobsets are waiting for an evaluator.", ["Jobset", "Triggered", "Forced"], row =>
        {
            html.Open("td").Link($"/jobset/{row.Project}/{row.Jobset}", $"{row.Project}:{row.Jobset}").Close();
            html.Open("td").Time(row.TriggerTime, Now).Close();
            html.Element("td", row.Force ? "yes" : "no");
        });
    }
}
