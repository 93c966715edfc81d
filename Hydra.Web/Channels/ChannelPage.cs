using Hydra.Web.Pages;
using Hydra.Web.Pages.Shared;
using Microsoft.AspNetCore.Components;

namespace Hydra.Web.Channels;

/// <summary><c>GET /channel/{name}</c>: the current revision, the history, what changed, and the release manager's forms.</summary>
public sealed class ChannelPage : PageComponent
{
    [Parameter, EditorRequired] public ChannelPageModel Model { get; set; } = null!;

    protected override string Title => $"Channel {Model.Channel.Name}";

    private string Url => $"/channel/{Model.Channel.Name}";

    protected override void Breadcrumbs(Html html) =>
        html.Link("/", "Projects").Text(" › ").Link($"/project/{Model.Channel.Project}", Model.Channel.Project)
            .Text(" › ").Link($"/jobset/{Model.Channel.Project}/{Model.Channel.Jobset}", Model.Channel.Jobset).Text(" › ").Text(Model.Channel.Name);

    protected override void Body(Html html)
    {
        var channel = Model.Channel;
        if (channel.Description.Length > 0)
        {
            html.Element("p", channel.Description);
        }
        html.Open("p").Text(channel.FollowJob is { } job ? "Follows job " : "Promoted by hand; follows no job.");
        if (channel.FollowJob is { } followed)
        {
            html.Link($"/job/{channel.Project}/{channel.Jobset}/{Uri.EscapeDataString(followed)}", followed)
                .Text(": it advances when that job and all its constituents succeed in a newer evaluation.");
        }
        html.Close();

        html.Element("h2", "Current revision");
        if (Model.Current is { } current)
        {
            html.Open("p").Text("Evaluation ").Link($"/eval/{current.EvaluationId}", Widgets.Number(current.EvaluationId)).Text(" ");
            Revision(html, current.EvaluationId);
            html.Text(", ").Text(Who(current)).Text(" ").Time(current.CreatedAt, Now).Close();
            html.Open("p").Text("Subscribe: ").Element("code", $"nix-channel --add <this server>{Url} {channel.Name}").Text(" · ")
                .Link($"{Url}/nixexprs.tar.xz", "nixexprs.tar.xz").Text(" · ").Link($"{Url}/store-paths", "store-paths")
                .Text(" · ").Link($"{Url}/binary-cache-url", "binary-cache-url").Close();
        }
        else
        {
            html.Open("div", "empty").Element("p", channel.FollowJob is null
                ? "No revision yet: a release manager promotes an evaluation below."
                : "No revision yet: the channel advances once its job succeeds.").Close();
        }

        if (SignedInUser is { } user && ChannelRights.MayManage(user) && FormToken is { } token)
        {
            html.OpenPostForm($"{Url}/promote", token, "promote")
                .Open("label").Attr("for", "field-eval").Text("Promote evaluation ").Close()
                .Open("input").Attr("name", "eval").Attr("id", "field-eval").Attr("inputmode", "numeric").Attr("pattern", "[0-9]+").Attr("required", "required").Close()
                .Open("button").Attr("type", "submit").Text("Promote").Close()
                .Close();
        }

        Changes(html);

        html.Element("h2", "History");
        var mayManage = SignedInUser is { } manager && ChannelRights.MayManage(manager) && FormToken is not null;
        html.Table(Model.History, "No revisions yet.", ["Revision", "Evaluation", "Input revision", "Builds", "How", "When", ""], revision =>
        {
            html.Open("td").Text(Widgets.Number(revision.Id));
            if (revision.Id == Model.Current?.Id)
            {
                html.Text(" ").Label("current", "ok");
            }
            html.Close();
            html.Open("td").Link($"/eval/{revision.EvaluationId}", Widgets.Number(revision.EvaluationId)).Close();
            html.Open("td").Call(h => Revision(h, revision.EvaluationId)).Close();
            html.Element("td", Model.Evaluations.TryGetValue(revision.EvaluationId, out var e) ? $"{e.Succeeded} of {e.Builds} succeeded" : "", "num");
            html.Element("td", Who(revision));
            html.Open("td").Time(revision.CreatedAt, Now).Close();
            html.Open("td");
            html.Link($"{Url}?compare={Widgets.Number(revision.Id)}", "changes");
            if (mayManage && revision.EvaluationId != Model.Current?.EvaluationId)
            {
                html.Text(" ").Open("form", "inline").Attr("method", "post").Attr("action", $"{Url}/rollback")
                    .Open("input").Attr("type", "hidden").Attr("name", FormToken!.FormFieldName).Attr("value", FormToken.Value).Close()
                    .Open("input").Attr("type", "hidden").Attr("name", "revision").Attr("value", Widgets.Number(revision.Id)).Close()
                    .Open("button").Attr("type", "submit").Attr("title", "Point the channel at this revision's evaluation again").Text("Roll back here").Close()
                    .Close();
            }
            html.Close();
        }, ["Builds"]);
        html.KeysetPager(Url, Model.Before is not null, Model.NextBefore, "before", "Older ›");
    }

    private void Changes(Html html)
    {
        if (Model.Compared is not { } compared || Model.ComparedTo is not { } from || Model.Changes is not { } changes)
        {
            return;
        }
        html.Element("h2", $"What changed in revision {Widgets.Number(compared.Id)}");
        html.Open("p").Text("Evaluation ").Link($"/eval/{from.EvaluationId}", Widgets.Number(from.EvaluationId)).Text(" → ")
            .Link($"/eval/{compared.EvaluationId}", Widgets.Number(compared.EvaluationId))
            .Text($": {changes.Added.Count} job(s) added, {changes.Removed.Count} removed, {changes.Changed.Count} changed.").Close();
        var rows = changes.Added.Select(b => ("added", b.Job, b.System, (ChannelQueries.JobBuild?)null, (ChannelQueries.JobBuild?)b))
            .Concat(changes.Removed.Select(b => ("removed", b.Job, b.System, (ChannelQueries.JobBuild?)b, (ChannelQueries.JobBuild?)null)))
            .Concat(changes.Changed.Select(c => ("changed", c.After.Job, c.After.System, (ChannelQueries.JobBuild?)c.Before, (ChannelQueries.JobBuild?)c.After)))
            .ToList();
        html.Table(rows, "The two evaluations have the same builds.", ["Change", "Job", "System", "Before", "After"], row =>
        {
            html.Open("td").Label(row.Item1, row.Item1 == "removed" ? "failed" : "queued").Close();
            html.Open("td").Link($"/job/{Model.Channel.Project}/{Model.Channel.Jobset}/{Uri.EscapeDataString(row.Job)}", row.Job).Close();
            html.Open("td").Element("tt", row.System).Close();
            html.Open("td").Call(h => BuildCell(h, row.Item4)).Close();
            html.Open("td").Call(h => BuildCell(h, row.Item5)).Close();
        });
    }

    private static void BuildCell(Html html, ChannelQueries.JobBuild? build)
    {
        if (build is not null)
        {
            html.Link($"/build/{build.BuildId}", build.NixName).Text(" ").Badge(build.Finished, build.Status);
        }
    }

    private void Revision(Html html, long evaluationId)
    {
        if (Model.Evaluations.TryGetValue(evaluationId, out var evaluation) && evaluation.Revision is { } revision)
        {
            html.Element("tt", Formatting.ShortRevision(revision));
        }
    }

    private static string Who(ChannelRevision revision) => revision.Kind switch
    {
        ChannelRevisionKinds.Follow => "advanced automatically",
        ChannelRevisionKinds.Rollback => $"rolled back to revision {revision.RolledBackTo} by {revision.PromotedBy}",
        _ => $"promoted by {revision.PromotedBy}",
    };
}
