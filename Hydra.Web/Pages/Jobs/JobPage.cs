using Hydra.Web.Pages.Shared;
using Microsoft.AspNetCore.Components;

namespace Hydra.Web.Pages.Jobs;

/// <summary><c>GET /job/{project}/{jobset}/{job}</c>: how a job has been doing, build by build.</summary>
public sealed class JobPage : PageComponent
{
    [Parameter, EditorRequired] public JobPageModel Model { get; set; } = null!;

    protected override string Title => $"Job {Model.Project}:{Model.Jobset}:{Model.Job}";

    private string Url => $"/job/{Model.Project}/{Model.Jobset}/{Uri.EscapeDataString(Model.Job)}";

    protected override void Breadcrumbs(Html html) =>
        html.Link("/", "Projects").Text(" › ").Link($"/project/{Model.Project}", Model.Project)
            .Text(" › ").Link($"/jobset/{Model.Project}/{Model.Jobset}", Model.Jobset).Text(" › ").Text(Model.Job);

    protected override void Body(Html html)
    {
        html.Open("div", "charts");
        html.LineChart("Build time", [.. Model.BuildTimes.Select(p => Point(p))], Formatting.Seconds,
            "The chart appears once two builds of this job have succeeded here.");
        html.LineChart("Closure size", [.. Model.ClosureSizes.Select(p => Point(p))], v => Formatting.Bytes((long)v),
            "The chart appears once two successful builds have their closures in the binary cache.");
        foreach (var metric in Model.Metrics)
        {
            html.LineChart($"Metric {metric.Name}", [.. metric.Points.Select(p => Point(p))], v => Metric(v, metric.Unit),
                "The chart appears once two builds have reported this metric.");
        }
        html.Close();

        html.Element("h2", "Builds");
        html.Table(Model.Builds, Model.Before is null ? "No builds of this job yet." : "No older builds.",
            ["#", "Status", "System", "Queued", "Finished", "Duration", "Release"], build =>
            {
                html.Open("td").Link($"/build/{build.Id}", Widgets.Number(build.Id));
                if (build.IsCurrent)
                {
                    html.Text(" ").Label("current", "ok");
                }
                html.Close();
                html.Open("td").Badge(build.Finished, build.Status).Close();
                html.Open("td").Element("tt", build.System).Close();
                html.Open("td").Time(build.QueuedAt, Now).Close();
                html.Open("td").Time(build.StopTime, Now, "").Close();
                html.Element("td", build.StartTime is { } start && build.StopTime is { } stop ? Formatting.Duration(stop - start) : "", "num");
                html.Element("td", build.ReleaseName ?? "");
            }, ["Duration"]);
        html.KeysetPager(Url, Model.Before is not null, Model.NextBefore, "before", "Older ›");
    }

    private static string Metric(double value, string unit) =>
        value.ToString("G6", System.Globalization.CultureInfo.InvariantCulture) + (unit.Length > 0 ? " " + unit : "");

    private static ChartValue Point(JobPageModel.ChartPoint point) =>
        new(point.Value, $"/build/{point.BuildId}", $"Build {Widgets.Number(point.BuildId)}, {Formatting.Iso(point.At)}");
}
