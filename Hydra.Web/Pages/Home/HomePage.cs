using Hydra.Web.Pages.Shared;
using Microsoft.AspNetCore.Components;

namespace Hydra.Web.Pages.Home;

/// <summary><c>GET /</c>: the projects of this farm.</summary>
public sealed class HomePage : PageComponent
{
    [Parameter, EditorRequired] public HomeModel Model { get; set; } = null!;

    protected override string Title => "Projects";

    protected override void Body(Html html)
    {
        if (SignedInUser is { } user && Projects.CreateFormEndpoints.MayCreateProjects(user))
        {
            html.Open("div", "actions").Link("/create-project", "Create project").Close();
        }
        if (Model.Projects.Count == 0)
        {
            html.Open("div", "empty")
                .Element("p", "No projects yet.")
                .Element("p", "Create one through the API, signed in as a user with the admin or create-projects role:")
                .Element("pre", """
                    curl -c jar -H 'Content-Type: application/json' -H 'Origin: http://HOST' \
                         -d '{"username":"admin","password":"..."}' http://HOST/login
                    curl -b jar -X PUT -H 'Content-Type: application/json' -H 'Origin: http://HOST' \
                         -d '{"displayname":"Example","enabled":true,"visible":true}' http://HOST/project/example
                    """)
                .Open("p").Text("or run ").Element("code", "./dev.sh up").Text(", which starts a local farm with an example project.").Close()
                .Close();
            return;
        }
        html.Table(Model.Projects, "", ["Name", "Description", "Owner", "Jobsets", "Current builds", "Health", "Last evaluated"], project =>
        {
            html.Open("td").Link($"/project/{project.Name}", project.DisplayName);
            if (project.DisplayName != project.Name)
            {
                html.Element("span", $" ({project.Name})", "muted");
            }
            if (!project.Enabled)
            {
                html.Label("disabled");
            }
            if (project.Hidden)
            {
                html.Label("hidden");
            }
            html.Close()
                .Element("td", project.Description)
                .Element("td", project.Owner)
                .Element("td", Widgets.Number(project.Jobsets), "num")
                .Open("td", "num").Counts(project.Current).Close();
            html.Open("td");
            Health(html, project);
            html.Close();
            html.Open("td").Time(project.LastEvaluatedAt, Now).Close();
        }, numericColumns: ["Jobsets", "Current builds"]);
    }

    /// <summary>
    /// At a glance: evaluation errors first (nothing builds when the expression is broken), then the share of
    /// current builds that failed.
    /// </summary>
    private static void Health(Html html, HomeModel.ProjectRow project)
    {
        if (project.JobsetsWithErrors > 0)
        {
            html.Label(project.JobsetsWithErrors == 1 ? "1 jobset fails to evaluate" : $"{Widgets.Number(project.JobsetsWithErrors)} jobsets fail to evaluate", "failed");
            return;
        }
        var finished = project.Current.Succeeded + project.Current.Failed;
        if (finished == 0)
        {
            html.Element("span", project.Current.Queued > 0 ? "building" : "no builds yet", "muted");
            return;
        }
        var percent = (int)Math.Round(100.0 * project.Current.Succeeded / finished);
        html.Open("span", percent == 100 ? "badge badge-ok" : percent >= 90 ? "badge badge-queued" : "badge badge-failed")
            .Attr("title", $"{Widgets.Number(project.Current.Succeeded)} of {Widgets.Number(finished)} finished current builds succeeded")
            .Text($"{Widgets.Number(percent)}% succeed").Close();
    }
}
