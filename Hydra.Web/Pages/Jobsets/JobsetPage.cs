using Hydra.Evaluator.Jobsets;
using Hydra.Web.Api.Evals;
using Hydra.Web.Pages.Shared;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Forms;

namespace Hydra.Web.Pages.Jobsets;

/// <summary>
/// <c>GET /jobset/{project}/{jobset}</c>: configuration, scheduling state (phase, next check, last
/// error), the Evaluate buttons for those allowed to use them, and the evaluations.
/// </summary>
public sealed class JobsetPage : PageComponent
{
    [Parameter, EditorRequired] public JobsetPageModel Model { get; set; } = null!;

    [Inject] private IHttpContextAccessor HttpContextAccessor { get; set; } = null!;
    [Inject] private AntiforgeryStateProvider Antiforgery { get; set; } = null!;

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
            .Element("dt", "Last checked").Open("dd").Time(Model.LastCheckedAt, Now).Close()
            .Element("dt", "Next check").Open("dd", "next-check").Text(NextCheck()).Close();
        if (Model.EvalStartedAt is { } started)
        {
            html.Element("dt", "Evaluating since").Open("dd").Time(started, Now).Close();
            html.Element("dt", "Phase").Open("dd", "eval-phase").Label(Model.EvalPhase ?? EvaluationPhase.Starting, "running")
                .Text(" ").Time(Model.EvalPhaseSince, Now, "").Close();
        }
        else if (Model.TriggerTime is { } triggered)
        {
            html.Element("dt", "Triggered").Open("dd").Time(triggered, Now).Text(" (waiting for the evaluator)").Close();
        }
        html.Close();
        EvaluateButtons(html);
        ConfigureLinks(html);

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
        html.Open("p").Link($"/jobset/{Model.Project}/{Model.Name}/jobs", "Jobs × evaluations").Text(": the status of every job in the last evaluations.").Close();
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
        html.KeysetPager($"/jobset/{Model.Project}/{Model.Name}", Model.Before is not null, Model.NextBefore, "before", "Older ›");
    }

    /// <summary>When the scheduler will next look at this jobset (see JobsetClaimer for the rules).</summary>
    private string NextCheck()
    {
        if (Model.Enabled == 0 || !Model.ProjectEnabled)
        {
            return Model.Enabled == 0 ? "disabled" : "disabled (the project is disabled)";
        }
        if (Model.TriggerTime is not null)
        {
            return "now (triggered)";
        }
        if (Model.CheckInterval == 0)
        {
            return "only on trigger";
        }
        if (Model.LastCheckedAt is not { } last)
        {
            return "now";
        }
        var due = last.AddSeconds(Model.CheckInterval);
        var text = $"{Formatting.Until(due, Now)} ({Formatting.Iso(due)})";
        return Model.Enabled == 3 ? text + ", once the latest evaluation's builds have finished" : text;
    }

    /// <summary>"Evaluate" and "Force evaluation": one form, the second button adds force=1.</summary>
    private void EvaluateButtons(Html html)
    {
        var user = HttpContextAccessor.HttpContext?.User;
        if (user is null || !EvaluateEndpoints.MayEvaluate(user, Model.Project, Model.ProjectOwner))
        {
            if (user?.Identity?.IsAuthenticated != true)
            {
                html.Open("p", "hint").Link($"/login?returnUrl=/jobset/{Model.Project}/{Model.Name}", "Sign in").Text(" to evaluate this jobset.").Close();
            }
            return;
        }
        if (Antiforgery.GetAntiforgeryToken() is not { } token)
        {
            return;
        }
        html.Open("form", "actions").Attr("method", "post").Attr("action", $"/jobset/{Model.Project}/{Model.Name}/evaluate");
        html.Open("input").Attr("type", "hidden").Attr("name", token.FormFieldName).Attr("value", token.Value).Close();
        html.Open("button").Attr("type", "submit").Attr("title", "Evaluate if the inputs changed").Text("Evaluate").Close();
        html.Open("button").Attr("type", "submit").Attr("name", "force").Attr("value", "1")
            .Attr("title", "Evaluate even if the inputs did not change").Text("Force evaluation").Close();
        html.Close();
    }

    /// <summary>Edit, clone and delete, for those who administer the project.</summary>
    private void ConfigureLinks(Html html)
    {
        if (SignedInUser is not { } user || !Auth.ProjectRights.Administers(user, Model.Project, Model.ProjectOwner))
        {
            return;
        }
        var path = $"/jobset/{Model.Project}/{Model.Name}";
        html.Open("div", "actions")
            .Link($"{path}/edit", "Edit jobset").Link($"{path}/clone", "Clone jobset").Link($"/project/{Model.Project}/notifications", "Notifications").Link($"{path}/delete", "Delete jobset", "danger")
            .Close();
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
