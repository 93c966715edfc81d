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
        html.Table(Model.Projects, "", ["Name", "Description", "Owner", "Jobsets"], project =>
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
                .Element("td", Widgets.Number(project.Jobsets), "num");
        }, numericColumns: ["Jobsets"]);
    }
}
