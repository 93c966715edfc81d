using Hydra.Web.Pages.Shared;
using Microsoft.AspNetCore.Components;

namespace Hydra.Web.Pages.Projects;

/// <summary><c>GET /create-project</c>: the form for a new project (the API's <c>PUT /project/{name}</c> fields).</summary>
public sealed class CreateProjectPage : PageComponent
{
    /// <summary>The values sent, when the form comes back with an error.</summary>
    [Parameter] public IReadOnlyDictionary<string, string> Values { get; set; } = new Dictionary<string, string>();

    [Parameter] public string? Error { get; set; }

    protected override string Title => "Create project";

    protected override void Breadcrumbs(Html html) => html.Link("/", "Projects").Text(" › new project");

    protected override void Body(Html html)
    {
        if (Error is not null)
        {
            html.Element("p", Error, "alert");
        }
        if (FormToken is not { } token)
        {
            return;
        }
        html.OpenPostForm("/create-project", token, "create-project")
            .Field("Identifier", "name", Value("name"), "Letters, digits, '_' and '-'; used in URLs.", required: true, pattern: "[A-Za-z_][A-Za-z0-9_\\-]*")
            .Field("Display name", "displayname", Value("displayname"))
            .Field("Description", "description", Value("description"))
            .Field("Homepage", "homepage", Value("homepage"))
            .Checkbox("Enabled", "enabled", Values.Count == 0 || Values.ContainsKey("enabled"))
            .Checkbox("Visible in the project list", "visible", Values.Count == 0 || Values.ContainsKey("visible"))
            .Open("button").Attr("type", "submit").Text("Create project").Close()
            .Close();
    }

    private string? Value(string name) => Values.TryGetValue(name, out var value) ? value : null;
}
