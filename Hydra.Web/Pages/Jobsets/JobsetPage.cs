using Hydra.Web.Pages.Shared;
using Microsoft.AspNetCore.Components;

namespace Hydra.Web.Pages.Jobsets;

/// <summary><c>GET /jobset/{project}/{jobset}</c>: configuration, last error, evaluations.</summary>
public sealed class JobsetPage : PageComponent
{
    [Parameter, EditorRequired] public JobsetPageModel Model { get; set; } = null!;

    protected override string Title => $"Jobset {Model.Project}:{Model.Name}";

    protected override void Breadcrumbs(Html html) =>
        html.Link("/", "Projects").Text(" › ").Link($"/project/{Model.Project}", Model.Project).Text(" › ").Text(Model.Name);

    protected override void Body(Html html)
    {
        if (Model.Description.Length > 0)
        {
            html.Element("p", Model.Description);
        }
        html.Open("dl", "summary")
            .Element("dt", "Nix expression").Open("dd").Element("code", Model.NixExprPath).Text(" in input ").Element("code", Model.NixExprInput).Close()
            .Element("dt", "State").Element("dd", EnabledText(Model.Enabled) + (Model.Hidden ? ", hidden" : ""))
            .Element("dt", "Check interval").Element("dd", Model.CheckInterval == 0 ? "only when triggered" : Formatting.Duration(TimeSpan.FromSeconds(Model.CheckInterval)))
            .Element("dt", "Scheduling shares").Element("dd", Widgets.Number(Model.SchedulingShares))
            .Element("dt", "Last checked").Open("dd").Time(Model.LastCheckedAt, Now).Close();
        if (Model.EvalStartedAt is { } started)
        {
            html.Element("dt", "Evaluating since").Open("dd").Time(started, Now).Close();
        }
        else if (Model.TriggerTime is { } triggered)
        {
            html.Element("dt", "Triggered").Open("dd").Time(triggered, Now).Text(" (waiting for the evaluator)").Close();
        }
        html.Close();

        html.Element("h2", "Inputs");
        html.Table(Model.Inputs, "This jobset has no inputs.", ["Name", "Type", "Value"], input =>
            html.Element("td", input.Name).Element("td", input.Type).Open("td").Element("code", input.Value).Close());

        if (!string.IsNullOrEmpty(Model.ErrorMessage))
        {
            html.Element("h2", "Last evaluation error");
            html.Open("p").Text("Evaluation failed ").Time(Model.ErrorTime, Now, "").Text(":").Close();
            html.Element("pre", Model.ErrorMessage, "log error");
        }

        html.Element("h2", "Evaluations");
        html.Table(Model.Evals,
            "No evaluations yet. A new jobset is evaluated as soon as an evaluator runs; then every check interval.",
            ["#", "Time", "Input", "Builds", "Succeeded / failed / queued", "Errors"],
            eval =>
            {
                html.Open("td").Link($"/eval/{eval.Id}", Widgets.Number(eval.Id)).Close();
                html.Open("td").Time(eval.CreatedAt, Now).Close();
                html.Open("td").Element("code", eval.Revision ?? "").Close();
                html.Element("td", Widgets.Number(eval.Counts.Total), "num");
                html.Open("td", "num").Counts(eval.Counts).Close();
                html.Open("td", "num");
                if (eval.NrErrors > 0)
                {
                    html.Open("span", "badge badge-failed").Attr("title", "jobs that failed to evaluate").Text(Widgets.Number(eval.NrErrors)).Close();
                }
                html.Close();
            },
            numericColumns: ["Builds", "Succeeded / failed / queued", "Errors"]);
        html.Pager($"/jobset/{Model.Project}/{Model.Name}", Model.Page, Model.LastPage);
    }

    private static string EnabledText(short enabled) => enabled switch
    {
        0 => "disabled",
        1 => "enabled",
        2 => "one-shot",
        3 => "one at a time",
        _ => $"enabled ({enabled})",
    };
}
