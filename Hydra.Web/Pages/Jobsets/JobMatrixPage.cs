using Hydra.Core;
using Hydra.Web.Pages.Shared;
using Microsoft.AspNetCore.Components;

namespace Hydra.Web.Pages.Jobsets;

/// <summary>The jobs × evaluations status matrix of a jobset (Hydra's "Jobs" tab).</summary>
public sealed class JobMatrixPage : PageComponent
{
    [Parameter, EditorRequired] public JobMatrixModel Model { get; set; } = null!;

    protected override string Title => $"Jobs of {Model.Project}:{Model.Jobset}";

    private string Url => $"/jobset/{Model.Project}/{Model.Jobset}/jobs";

    protected override void Breadcrumbs(Html html) =>
        html.Link("/", "Projects").Text(" › ").Link($"/project/{Model.Project}", Model.Project)
            .Text(" › ").Link($"/jobset/{Model.Project}/{Model.Jobset}", Model.Jobset).Text(" › ").Text("jobs");

    protected override void Body(Html html)
    {
        if (Model.Jobs.Count == 0)
        {
            html.Open("div", "empty").Element("p", Model.After is null
                ? "No jobs yet: they appear once an evaluation of this jobset has succeeded."
                : "No more jobs after this one.").Close();
            html.KeysetPager(Url, Model.After is not null, (string?)null);
            return;
        }
        html.Open("p", "muted").Text("Newest evaluation first. ")
            .Open("span", "cell cell-ok").Text("✔").Close().Text(" succeeded, ")
            .Open("span", "cell cell-failed").Text("✘").Close().Text(" failed, ")
            .Open("span", "cell cell-queued").Text("…").Close().Text(" queued; empty: not in that evaluation.").Close();
        html.Open("table", "table matrix").Open("thead").Open("tr").Element("th", "Job");
        foreach (var eval in Model.Evals)
        {
            html.Open("th").Link($"/eval/{eval.Id}", Widgets.Number(eval.Id)).Open("div", "muted").Time(eval.CreatedAt, Now).Close().Close();
        }
        html.Close().Close().Open("tbody");
        foreach (var row in Model.Jobs)
        {
            html.Open("tr").Open("th").Link($"/job/{Model.Project}/{Model.Jobset}/{Uri.EscapeDataString(row.Job)}", row.Job).Close();
            foreach (var cell in row.Cells)
            {
                html.Open("td");
                if (cell is not null)
                {
                    var (css, mark, text) = !cell.Finished ? ("cell-queued", "…", "queued")
                        : cell.Status == BuildStatus.Succeeded ? ("cell-ok", "✔", BuildStatus.Describe(cell.Status, true))
                        : ("cell-failed", "✘", BuildStatus.Describe(cell.Status, true));
                    html.Open("a", $"cell {css}").Attr("href", $"/build/{cell.BuildId}").Attr("title", $"Build {Widgets.Number(cell.BuildId)}: {text}").Text(mark).Close();
                }
                html.Close();
            }
            html.Close();
        }
        html.Close().Close();
        html.KeysetPager(Url, Model.After is not null, Model.NextAfter);
    }
}
