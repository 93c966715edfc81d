using Hydra.Web.Pages.Shared;
using Microsoft.AspNetCore.Components;

namespace Hydra.Web.Pages.Search;

/// <summary><c>GET /search?query=</c>: a search box and what it found, section by section.</summary>
public sealed class SearchPage : PageComponent
{
    [Parameter, EditorRequired] public SearchModel Model { get; set; } = null!;

    protected override string Title => Model.Query.Length == 0 ? "Search" : $"Search for {Model.Query}";

    protected override void Breadcrumbs(Html html) => html.Link("/", "Projects").Text(" › ").Text("Search");

    protected override void Body(Html html)
    {
        html.Open("form", "search").Attr("method", "get").Attr("action", "/search")
            .Open("input").Attr("type", "search").Attr("name", "query").Attr("value", Model.Query)
                .Attr("placeholder", "project, jobset, job or /nix/store/... path").Attr("aria-label", "Search").Attr("maxlength", "400").Close()
            .Open("button").Attr("type", "submit").Text("Search").Close()
            .Close();

        if (Model.Error is { } error)
        {
            html.Element("p", error, Model.Query.Length == 0 ? "muted" : "error");
            return;
        }
        if (!Model.Found)
        {
            html.Open("div", "empty").Element("p", $"Nothing matches \"{Model.Query}\".")
                .Element("p", Model.Query.Length < SearchModel.MinJobQueryLength
                    ? $"Job names are searched from {SearchModel.MinJobQueryLength} characters on. Store paths must be whole (/nix/store/<hash>-<name>)."
                    : "Names match anywhere (\"hello\" finds \"pkgs.hello\"); store paths must be whole, as the build page shows them.")
                .Close();
            return;
        }

        Section(html, "Projects", Model.Projects, ["Project", "Description"], project =>
        {
            html.Open("td").Link($"/project/{project.Name}", project.DisplayName).Close();
            html.Element("td", project.Description);
        });
        Section(html, "Jobsets", Model.Jobsets, ["Jobset", "Description"], jobset =>
        {
            html.Open("td").Link($"/jobset/{jobset.Project}/{jobset.Name}", $"{jobset.Project}:{jobset.Name}").Close();
            html.Element("td", jobset.Description);
        });
        Builds(html, "Jobs (current builds)", Model.Jobs);
        Builds(html, "Builds with this output", Model.BuildsByOutput);
        Builds(html, "Builds of this derivation", Model.BuildsByDerivation);
    }

    private void Builds(Html html, string title, IReadOnlyList<SearchModel.BuildHit> builds) =>
        Section(html, title, builds, ["#", "Job", "System", "Status", "Queued"], build =>
        {
            html.Open("td").Link($"/build/{build.Id}", Widgets.Number(build.Id)).Close();
            html.Open("td").Link($"/jobset/{build.Project}/{build.Jobset}", $"{build.Project}:{build.Jobset}").Text(":").Text(build.Job).Close();
            html.Open("td").Element("tt", build.System).Close();
            html.Open("td").Badge(build.Finished, build.Status).Close();
            html.Open("td").Time(build.QueuedAt, Now).Close();
        });

    private void Section<T>(Html html, string title, IReadOnlyList<T> rows, string[] headers, Action<T> row)
    {
        if (rows.Count == 0)
        {
            return;
        }
        html.Element("h2", title);
        html.Table(rows, "", headers, row);
        if (rows.Count == Model.Limit)
        {
            html.Element("p", $"Only the first {Widgets.Number(Model.Limit)} are shown: make the query longer to narrow it down.", "muted");
        }
    }
}
