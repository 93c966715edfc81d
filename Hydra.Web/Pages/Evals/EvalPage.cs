using Hydra.Web.Pages.Shared;
using Microsoft.AspNetCore.Components;

namespace Hydra.Web.Pages.Evals;

/// <summary><c>GET /eval/{id}</c>: inputs with revisions, the builds, per-job evaluation errors.</summary>
public sealed class EvalPage : PageComponent
{
    [Parameter, EditorRequired] public EvalPageModel Model { get; set; } = null!;

    protected override string Title => $"Evaluation {Widgets.Number(Model.Id)}";

    protected override void Breadcrumbs(Html html) =>
        html.Link("/", "Projects").Text(" › ").Link($"/project/{Model.Project}", Model.Project)
            .Text(" › ").Link($"/jobset/{Model.Project}/{Model.Jobset}", Model.Jobset).Text(" › ").Text($"#{Model.Id}");

    protected override void Body(Html html)
    {
        html.Open("dl", "summary")
            .Element("dt", "Evaluated").Open("dd").Time(Model.CreatedAt, Now).Close()
            .Element("dt", "Checkout / evaluation").Element("dd", $"{Formatting.Seconds(Model.CheckoutSeconds)} / {Formatting.Seconds(Model.EvalSeconds)}")
            .Element("dt", "Nix expression").Open("dd").Element("code", Model.NixExprPath).Text(" in input ").Element("code", Model.NixExprInput).Close()
            .Element("dt", "Builds").Open("dd").Counts(Model.Counts).Close()
            .Close();

        html.Open("div").Attr("id", "tabs-inputs");
        html.Element("h2", "Inputs");
        html.Table(Model.Inputs, "This evaluation recorded no inputs.", ["Name", "Type", "Value", "Revision"], input =>
            html.Element("td", input.Name).Element("td", input.Type)
                .Open("td").Element("code", input.Uri ?? input.Value ?? "").Close()
                .Open("td").Open("code").Attr("title", input.Revision).Text(input.Revision is null ? "" : Formatting.ShortRevision(input.Revision)).Close().Close());
        html.Close();

        if (Model.Errors.Count > 0)
        {
            html.Element("h2", $"Evaluation errors ({Widgets.Number(Model.Errors.Count)})");
            foreach (var error in Model.Errors)
            {
                html.Open("section", "eval-error").Element("h3", error.Job).Element("pre", error.Message, "log error").Close();
            }
        }

        html.Element("h2", "Builds");
        html.Table(Model.Builds, "This evaluation has no builds (every job failed to evaluate, or the expression has no jobs).",
            ["Status", "#", "Job", "Name", "System", "Finished"],
            build =>
            {
                html.Open("td").Badge(build.Finished, build.Status).Close();
                html.Open("td").Link($"/build/{build.Id}", Widgets.Number(build.Id)).Close();
                html.Element("td", build.Job);
                html.Element("td", build.NixName);
                html.Open("td").Element("tt", build.System).Close();
                html.Open("td").Time(build.StopTime, Now, build.Finished ? "" : "not yet").Close();
            });
    }
}
