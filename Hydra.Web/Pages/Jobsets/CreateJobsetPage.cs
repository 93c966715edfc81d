using Hydra.Web.Pages.Shared;
using Microsoft.AspNetCore.Components;

namespace Hydra.Web.Pages.Jobsets;

/// <summary>
/// <c>GET /project/{p}/create-jobset</c>: a jobset evaluated from one input (a Nix expression in a git
/// repository, say), or from a flake. The full inputs editor is the jobset's configuration page.
/// </summary>
public sealed class CreateJobsetPage : PageComponent
{
    [Parameter, EditorRequired] public string Project { get; set; } = "";

    [Parameter] public IReadOnlyDictionary<string, string> Values { get; set; } = new Dictionary<string, string>();

    [Parameter] public string? Error { get; set; }

    [Parameter] public IReadOnlyList<string> InputTypes { get; set; } = [];

    protected override string Title => $"Create jobset in {Project}";

    protected override void Breadcrumbs(Html html) =>
        html.Link("/", "Projects").Text(" › ").Link($"/project/{Project}", Project).Text(" › new jobset");

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
        html.OpenPostForm($"/project/{Project}/create-jobset", token, "create-jobset")
            .Field("Identifier", "name", Value("name"), "Letters, digits, '_', '.' and '-'.", required: true, pattern: "[A-Za-z_][A-Za-z0-9_.\\-]*")
            .Field("Description", "description", Value("description"))
            .Element("h2", "Nix expression")
            .Field("Input name", "inputname", Value("inputname") ?? "src", "The input holding the expression, e.g. src.")
            .Select("Input type", "inputtype", InputTypes, Value("inputtype") ?? "git")
            .Field("Input value", "inputvalue", Value("inputvalue"), "For git: the repository URL, optionally followed by a space and a branch.")
            .Field("Path of the expression in the input", "nixexprpath", Value("nixexprpath") ?? "release.nix")
            .Element("h2", "Or a flake")
            .Field("Flake URL", "flake", Value("flake"), "When set, the jobset evaluates this flake's hydraJobs and the input above is not used.")
            .Field("Check interval (seconds)", "checkinterval", Value("checkinterval") ?? "300", "0: only when triggered.")
            .Checkbox("Visible", "visible", Values.Count == 0 || Values.ContainsKey("visible"))
            .Open("button").Attr("type", "submit").Text("Create jobset").Close()
            .Close();
    }

    private string? Value(string name) => Values.TryGetValue(name, out var value) ? value : null;
}
