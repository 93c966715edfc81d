using Hydra.Evaluator.Declarative;
using Hydra.Web.Pages.Shared;
using Microsoft.AspNetCore.Components;

namespace Hydra.Web.Pages.Projects;

/// <summary><c>GET /project/{name}</c>: the project's jobsets and how their latest evaluations stand.</summary>
public sealed class ProjectPage : PageComponent
{
    [Parameter, EditorRequired] public ProjectPageModel Model { get; set; } = null!;

    protected override string Title => Model.DisplayName;

    protected override void Breadcrumbs(Html html) => html.Link("/", "Projects").Text(" › ").Text(Model.Name);

    protected override void Body(Html html)
    {
        if (SignedInUser is { } user && Auth.ProjectRights.Administers(user, Model.Name, Model.Owner))
        {
            html.Open("div", "actions").Link($"/project/{Model.Name}/create-jobset", "Create jobset")
                .Link($"/project/{Model.Name}/edit", "Edit project").Link($"/project/{Model.Name}/notifications", "Notifications").Link($"/project/{Model.Name}/delete", "Delete project", "danger").Close();
        }
        if (Model.Description.Length > 0)
        {
            html.Element("p", Model.Description);
        }
        html.Open("dl", "summary").Element("dt", "Owner").Element("dd", Model.Owner);
        if (Model.Homepage.Length > 0)
        {
            html.Element("dt", "Homepage").Open("dd")
                .Open("a").Attr("href", Model.Homepage).Attr("rel", "nofollow noopener").Text(Model.Homepage).Close()
                .Close();
        }
        html.Element("dt", "State").Element("dd", (Model.Enabled ? "enabled" : "disabled") + (Model.Hidden ? ", hidden" : ""));
        if (Model.Declarative is { } spec)
        {
            DeclarativeSummary(html, spec);
        }
        html.Close();
        if (Model.Declarative?.Error is { } error)
        {
            html.Element("pre", error, "log error");
        }

        html.Element("h2", "Jobsets");
        html.Table(Model.Jobsets,
            $"This project has no jobsets yet. Add one with PUT /jobset/{Model.Name}/<name> (JSON with nixexprinput, nixexprpath and inputs).",
            ["Jobset", "Description", "Last checked", "Latest evaluation", "Succeeded / failed / queued"],
            jobset =>
            {
                html.Open("td").Link($"/jobset/{Model.Name}/{jobset.Name}", jobset.Name);
                if (jobset.HasError)
                {
                    html.Open("span", "badge badge-failed").Attr("title", "Evaluation failed; see the jobset page").Text("error").Close();
                }
                if (jobset.Enabled == 0)
                {
                    html.Label("disabled");
                }
                html.Close().Element("td", jobset.Description);
                html.Open("td").Time(jobset.LastCheckedAt, Now).Close();
                html.Open("td");
                if (jobset.LatestEvalId is { } evalId)
                {
                    html.Link($"/eval/{evalId}", $"#{evalId}");
                }
                else
                {
                    html.Element("span", "none yet", "muted");
                }
                html.Close().Open("td", "num").Counts(jobset.Counts).Close();
            },
            numericColumns: ["Succeeded / failed / queued"]);
    }

    /// <summary>Where the jobsets come from; the spec is read by the hidden .jobsets jobset, linked for its history.</summary>
    private void DeclarativeSummary(Html html, ProjectPageModel.DeclarativeSpec spec)
    {
        html.Element("dt", "Declarative spec").Open("dd", "declarative")
            .Element("code", spec.File).Text($" in {spec.Type} input ").Element("code", spec.Value)
            .Close();
        html.Element("dt", "Spec last read").Open("dd").Time(spec.LastCheckedAt, Now).Text(" ")
            .Link($"/jobset/{Model.Name}/{DeclarativeProject.JobsetName}", "(.jobsets)");
        if (spec.Error is not null)
        {
            html.Open("span", "badge badge-failed").Attr("title", "The spec was not applied; see the message below").Text("error").Close();
        }
        html.Close();
    }
}
