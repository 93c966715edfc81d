using Hydra.Web.Pages.Shared;
using Microsoft.AspNetCore.Components;

namespace Hydra.Web.Pages.Logs;

/// <summary>
/// A step's log as a page: numbered lines with links, ANSI colours as classes, a link to the first error, the raw
/// log and its tail. While the step may still write, <c>/js/log.js</c> follows it over Server-Sent Events
/// (<c>.../log/stream</c>) from the byte offset the page ends at; without JavaScript the page is complete as of
/// when it was loaded.
/// </summary>
public sealed class LogPage : PageComponent
{
    [Parameter, EditorRequired] public LogPageModel Model { get; set; } = null!;

    protected override string Title => $"Log of step {Widgets.Number(Model.StepId)} of build {Widgets.Number(Model.BuildId)}";

    protected override IReadOnlyList<string> Scripts => Model.Live ? ["/js/log.js"] : [];

    protected override void Breadcrumbs(Html html) =>
        html.Link("/", "Projects").Text(" › ").Link($"/project/{Model.Project}", Model.Project)
            .Text(" › ").Link($"/jobset/{Model.Project}/{Model.Jobset}", Model.Jobset)
            .Text(" › ").Link($"/build/{Model.BuildId}", $"build {Model.BuildId}").Text(" › ").Text("log");

    protected override void Body(Html html)
    {
        html.Open("dl", "summary")
            .Element("dt", "Job").Element("dd", Model.Job)
            .Element("dt", "Derivation").Open("dd").StorePath(Model.DrvPath).Close()
            .Element("dt", "Status").Open("dd").Attr("id", "log-status").StepBadge(Model.State, Model.Status).Close()
            .Element("dt", "Machine").Element("dd", Model.Machine ?? "none yet")
            .Close();

        html.Open("nav", "log-tools");
        html.Link($"{Model.BaseUrl}/raw", "Raw log").Text(" · ").Link($"{Model.BaseUrl}/tail?lines=200", "Last 200 lines").Text(" · ");
        var firstShown = Model.Lines.Count == 0 ? 1 : Model.Lines[0].Number;
        switch (Model.FirstErrorLine)
        {
            case { } line when line >= firstShown:
                html.Open("a").Attr("id", "first-error-link").Attr("href", $"#L{line}").Text($"Jump to the first error (line {Widgets.Number(line)})").Close();
                break;
            case { } line:
                html.Open("span").Attr("id", "first-error-link").Text($"First error at line {Widgets.Number(line)}, before the lines shown: see the ")
                    .Link($"{Model.BaseUrl}/raw", "raw log").Close();
                break;
            default:
                html.Open("span", "muted").Attr("id", "first-error-link").Text("No error lines").Close();
                break;
        }
        html.Close();

        if (Model.Lines.Count < Model.TotalLines)
        {
            html.Open("p", "notice").Text($"This log has {Widgets.Number(Model.TotalLines)} lines; the last {Widgets.Number(Model.Lines.Count)} are shown. The ")
                .Link($"{Model.BaseUrl}/raw", "raw log").Text(" has all of them.").Close();
        }
        if (Model.Live)
        {
            html.Open("p", "live").Attr("id", "log-live")
                .Text(Model.State == Core.Data.Entities.StepState.Running ? "The step is running; new lines appear as it writes them." : "The step has not started yet; its lines appear here when it runs.")
                .Close();
        }
        else if (Model.TotalLines == 0)
        {
            html.Element("p", "This step wrote no log. If it failed before building (fetching its inputs, an unsupported system), the build page says why.", "empty");
        }

        html.Open("ol", "log-lines").Attr("id", "log");
        if (Model.Live)
        {
            html.Attr("data-stream", $"{Model.BaseUrl}/stream")
                .Attr("data-offset", Widgets.Number(Model.EndOffset))
                .Attr("data-next-line", Widgets.Number(Model.TotalLines + 1))
                .Attr("data-first-error", Model.FirstErrorLine is { } e ? Widgets.Number(e) : null);
        }
        foreach (var line in Model.Lines)
        {
            Line(html, line);
        }
        html.Close();
    }

    /// <summary>
    /// <c>&lt;li id="L12"&gt;&lt;a href="#L12"&gt;12&lt;/a&gt;&lt;span class="ansi-fg-1"&gt;text&lt;/span&gt;&lt;/li&gt;</c>;
    /// log.js builds the same markup for streamed lines.
    /// </summary>
    private static void Line(Html html, LogPageModel.Line line)
    {
        var id = $"L{line.Number}";
        html.Open("li", line.IsError ? "error" : null).Attr("id", id)
            .Open("a", "ln").Attr("href", $"#{id}").Text(Widgets.Number(line.Number)).Close();
        foreach (var segment in line.Segments)
        {
            if (segment.Classes is null)
            {
                html.Text(segment.Text);
            }
            else
            {
                html.Element("span", segment.Text, segment.Classes);
            }
        }
        html.Close();
    }
}
