using Hydra.Web.Api.Builds;
using Hydra.Web.Api.Evals;
using Hydra.Web.Pages.Shared;
using Microsoft.AspNetCore.Components;

namespace Hydra.Web.Pages.Evals;

/// <summary>
/// <c>GET /eval/{id}</c>: inputs with revisions, the actions on its builds the user may take, per-job evaluation
/// errors, the builds compared with another evaluation.
/// </summary>
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
        ActionButtons(html);

        html.Open("div").Attr("id", "tabs-inputs");
        html.Element("h2", "Inputs");
        html.Table(Model.Inputs, "This evaluation recorded no inputs.", ["Name", "Type", "Value", "Revision"], input =>
            html.Element("td", input.Name).Element("td", input.Type)
                .Open("td").Element("code", input.Uri ?? input.Value ?? "").Close()
                .Open("td").Call(h => Revision(h, input)).Close());
        html.Close();

        if (Model.Errors.Count > 0)
        {
            html.Element("h2", $"Evaluation errors ({Widgets.Number(Model.Errors.Count)})");
            foreach (var error in Model.Errors)
            {
                html.Open("section", "eval-error").Element("h3", error.Job).Element("pre", error.Message, "log error").Close();
            }
        }

        if (Model.Comparison is { } diff)
        {
            Comparison(html, diff);
        }
    }

    /// <summary>The revision, linked to the commit on the forge when the input is a git repository served over HTTPS.</summary>
    private static void Revision(Html html, EvalPageModel.InputRow input)
    {
        if (input.Revision is not { } revision)
        {
            return;
        }
        if (CommitLinks.For(input.Type, input.Uri, revision) is { } href)
        {
            html.Open("a").Attr("href", href).Attr("title", revision).Open("code").Text(Formatting.ShortRevision(revision)).Close().Close();
        }
        else
        {
            html.Open("code").Attr("title", revision).Text(Formatting.ShortRevision(revision)).Close();
        }
    }

    /// <summary>Cancel or bump the queued builds, restart the failed or only the aborted ones, as this user may.</summary>
    private void ActionButtons(Html html)
    {
        if (SignedInUser is not { } user || FormToken is not { } token)
        {
            return;
        }
        var url = $"/eval/{Model.Id}";
        var buttons = new List<ActionButton>();
        if (Model.Counts.Queued > 0 && BuildRights.MayCancel(user, Model.Project, Model.ProjectOwner))
        {
            buttons.Add(new($"{url}/cancel", "Cancel queued builds", "Cancel every unfinished build of this evaluation"));
        }
        if (Model.Counts.Queued > 0 && BuildRights.MayBump(user, Model.Project, Model.ProjectOwner))
        {
            buttons.Add(new($"{url}/bump", "Bump to front", "Build this evaluation's queued builds before everything queued so far"));
        }
        if (Model.Counts.Failed > 0 && BuildRights.MayRestart(user, Model.Project, Model.ProjectOwner))
        {
            buttons.Add(new($"{url}/restart-failed", "Restart failed builds", "Restart every build of this evaluation that did not succeed"));
            buttons.Add(new($"{url}/restart-aborted", "Restart aborted builds", "Restart only the aborted, cancelled and unsupported-system builds"));
        }
        html.ActionButtons(token, buttons);
    }

    /// <summary>Hydra's eval tabs, as sections with the same ids (tabs-new, tabs-now-fail, ...).</summary>
    private void Comparison(Html html, EvaluationDiff diff)
    {
        html.Element("h2", "Builds");
        html.Open("p", "hint");
        if (diff.CompareTo is { } other)
        {
            html.Text("Compared with ").Link($"/eval/{other}", $"evaluation {Widgets.Number(other)}")
                .Text("; pick another with ").Element("code", "?compare=<evaluation id | -seconds | jobset name>").Text(".");
        }
        else
        {
            html.Text("Nothing to compare with: this is the jobset's first evaluation, so every job is new.");
        }
        html.Close();

        (string Id, string Title, IReadOnlyList<ComparedBuild> Builds, string Empty)[] sections =
        [
            ("tabs-now-fail", "Now failing", diff.NowFail, "No job started failing."),
            ("tabs-now-succeed", "Now succeeding", diff.NowSucceed, "No job started succeeding."),
            ("tabs-new", "New jobs", diff.New, "No new jobs."),
            ("tabs-removed", "Removed jobs", diff.Removed, "No jobs were removed."),
            ("tabs-still-fail", "Still failing", diff.StillFail, "No job is still failing."),
            ("tabs-still-succeed", "Still succeeding", diff.StillSucceed, "No job is still succeeding."),
            ("tabs-unfinished", "Unfinished", diff.Unfinished, "Every build has finished."),
            ("tabs-aborted", "Aborted", diff.Aborted, "No aborted, cancelled or timed-out builds."),
        ];
        var baseUrl = Model.Compare is { } compare ? $"/eval/{Model.Id}?compare={Uri.EscapeDataString(compare)}&" : $"/eval/{Model.Id}?";
        html.Open("nav", "tabs");
        foreach (var section in sections)
        {
            html.Open("a").Attr("href", Model.Tab is null ? $"#{section.Id}" : $"{baseUrl}tab={section.Id}").Text(section.Title).Text(" ")
                .Element("span", Widgets.Number(section.Builds.Count), "count").Close();
        }
        html.Close();
        foreach (var section in sections)
        {
            if (Model.Tab is not null && Model.Tab != section.Id)
            {
                continue;
            }
            // The main page previews each section; ?tab= shows one whole, a page at a time after a build (the
            // sections are sorted by job, system and id, and a build appears once).
            IEnumerable<ComparedBuild> rows = section.Builds;
            if (Model.Tab is not null && Model.After is { } after)
            {
                var afterId = long.TryParse(after, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var id) ? id : -1;
                rows = rows.SkipWhile(b => b.Id != afterId).Skip(1);
            }
            var limit = Model.Tab is null ? EvalPageModel.SectionPreview : EvalPageModel.TabPageSize;
            var shown = rows.Take(limit + 1).ToList();
            var more = shown.Count > limit;
            shown = shown.Take(limit).ToList();

            html.Open("div", "tab").Attr("id", section.Id);
            html.Element("h3", $"{section.Title} ({Widgets.Number(section.Builds.Count)})");
            html.Table(shown, Model.After is null ? section.Empty : "No more builds in this section.", ["Status", "#", "Job", "Name", "System"], build =>
            {
                html.Open("td").Badge(build.Finished, build.BuildStatus).Close();
                html.Open("td").Link($"/build/{build.Id}", Widgets.Number(build.Id)).Close();
                html.Open("td").Link($"/job/{Model.Project}/{Model.Jobset}/{Uri.EscapeDataString(build.Job)}", build.Job).Close();
                html.Element("td", build.NixName);
                html.Open("td").Element("tt", build.System).Close();
            });
            if (more)
            {
                html.Open("p", "more");
                if (Model.Tab is null)
                {
                    html.Link($"{baseUrl}tab={section.Id}", $"All {Widgets.Number(section.Builds.Count)} ›");
                }
                else
                {
                    html.Link($"{baseUrl}tab={section.Id}&after={Widgets.Number(shown[^1].Id)}", "Next ›");
                }
                html.Close();
            }
            if (Model.Tab is not null)
            {
                html.Open("p").Link(baseUrl.TrimEnd('?', '&'), "« Back to the whole evaluation").Close();
            }
            html.Close();
        }
    }
}
