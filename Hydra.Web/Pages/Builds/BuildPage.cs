using Hydra.Core;
using Hydra.Core.Data.Entities;
using Hydra.Core.Notifications;
using Hydra.Queue.Operations;
using Hydra.Web.Api.Builds;
using Hydra.Web.Pages.Shared;
using Microsoft.AspNetCore.Components;

namespace Hydra.Web.Pages.Builds;

/// <summary>
/// <c>GET /build/{id}</c>: summary, the actions the user may take (cancel, bump, restart, keep), outputs,
/// products, metrics, steps and the tail of the log.
/// </summary>
public sealed class BuildPage : PageComponent
{
    [Parameter, EditorRequired] public BuildPageModel Model { get; set; } = null!;

    protected override string Title => $"Build {Widgets.Number(Model.Id)} of job {Model.Project}:{Model.Jobset}:{Model.Job}";

    protected override void Breadcrumbs(Html html) =>
        html.Link("/", "Projects").Text(" › ").Link($"/project/{Model.Project}", Model.Project)
            .Text(" › ").Link($"/jobset/{Model.Project}/{Model.Jobset}", Model.Jobset).Text(" › ").Text($"build {Model.Id}");

    protected override void Body(Html html)
    {
        var building = !Model.Finished && Model.Steps.Any(s => s.State == StepState.Running);
        html.Open("dl", "summary")
            .Element("dt", "Status").Open("dd").Badge(Model.Finished, Model.Status, building ? "Building" : null);
        if (Model.IsCachedBuild)
        {
            html.Text(" ").Label("cached");
        }
        if (Model.Keep)
        {
            html.Text(" ").Label("kept");
        }
        html.Close()
            .Element("dt", "Job").Open("dd").Link($"/job/{Model.Project}/{Model.Jobset}/{Uri.EscapeDataString(Model.Job)}", Model.Job).Close()
            .Element("dt", "Project / jobset").Open("dd").Link($"/project/{Model.Project}", Model.Project).Text(" / ")
                .Link($"/jobset/{Model.Project}/{Model.Jobset}", Model.Jobset).Close()
            .Element("dt", "Nix name").Element("dd", Model.NixName);
        if (Model.ReleaseName is not null)
        {
            html.Element("dt", "Release name").Element("dd", Model.ReleaseName);
        }
        html
            .Element("dt", "System").Open("dd").Element("tt", Model.System).Close()
            .Element("dt", "Derivation").Open("dd").StorePath(Model.DrvPath).Close()
            .Element("dt", "Queued").Open("dd").Time(Model.QueuedAt, Now).Close()
            .Element("dt", "Started").Open("dd").Time(Model.StartTime, Now, "not yet").Close()
            .Element("dt", "Stopped").Open("dd").Time(Model.StopTime, Now, "not yet").Close();
        if (Model.StartTime is { } start)
        {
            html.Element("dt", "Duration").Element("dd", Formatting.Duration((Model.StopTime ?? Now) - start) + (Model.StopTime is null ? " so far" : ""));
        }
        html.Element("dt", "Evaluations").Open("dd");
        foreach (var eval in Model.Evals)
        {
            html.Link($"/eval/{eval}", $"#{eval}").Text(" ");
        }
        html.Close().Close();
        ActionButtons(html);

        html.Element("h2", "Outputs");
        html.Table(Model.Outputs, "No outputs recorded.", ["Output", "Store path"], output =>
            html.Element("td", output.Name).Open("td").StorePath(output.Path).Close());

        if (Model.Products.Count > 0)
        {
            html.Element("h2", "Build products");
            html.Table(Model.Products, "", ["#", "Type", "Name", "Path", "Size", "SHA-256"], product =>
            {
                html.Element("td", Widgets.Number(product.Number));
                html.Element("td", product.Subtype.Length == 0 ? product.Type : $"{product.Type} ({product.Subtype})");
                html.Open("td").Link($"/build/{Model.Id}/download/{product.Number}/{Uri.EscapeDataString(product.Name)}", product.Name).Close();
                html.Open("td").StorePath(product.Path).Close();
                html.Element("td", product.FileSize is { } size ? Formatting.Bytes(size) : "", "num");
                html.Open("td").Element("tt", product.Sha256 ?? "").Close();
            }, ["Size"]);
        }

        if (Model.Metrics.Count > 0)
        {
            html.Element("h2", "Metrics");
            html.Table(Model.Metrics, "", ["Name", "Value", "Unit"], metric =>
            {
                html.Element("td", metric.Name);
                html.Element("td", metric.Value.ToString("G", System.Globalization.CultureInfo.InvariantCulture), "num");
                html.Element("td", metric.Unit);
            }, ["Value"]);
        }

        html.Open("div").Attr("id", "tabs-buildsteps");
        html.Element("h2", "Build steps");
        html.Table(Model.Steps, "No steps: every output was already in the binary cache.",
            ["#", "What", "System", "Status", "Tries", "Machine", "Started", "Finished", "Log"], step =>
            {
                html.Element("td", Widgets.Number(step.Id));
                html.Open("td").StorePath(step.DrvPath).Close();
                html.Open("td").Element("tt", step.System).Close();
                html.Open("td").StepBadge(step.State, step.Status).Close();
                html.Element("td", Widgets.Number(step.Tries), "num");
                html.Element("td", step.Machine ?? "");
                html.Open("td").Time(step.StartedAt, Now, "").Close();
                html.Open("td").Time(step.FinishedAt, Now, "").Close();
                html.Open("td").Link($"/build/{Model.Id}/step/{step.Id}/log", "log").Text(" · ")
                    .Link($"/build/{Model.Id}/step/{step.Id}/log/raw", "raw").Close();
            });
        html.Close();
        RunCommands(html);

        html.Element("h2", "Log");
        if (Model.LogTail is null)
        {
            html.Element("p", "No log yet.", "empty");
            return;
        }
        html.Open("p").Text($"Last {Widgets.Number(BuildPageModel.LogTailLines)} lines of step {Model.LogStepId} (")
            .Link($"/build/{Model.Id}/log", "full log").Text(", ")
            .Link($"/build/{Model.Id}/step/{Model.LogStepId}/log/raw", "raw").Text(")").Close();
        html.Element("pre", Model.LogTail, "log");
    }

    /// <summary>The RunCommand section (notifications), only when a command ran for this build.</summary>
    private void RunCommands(Html html)
    {
        if (Model.RunCommands.Count == 0)
        {
            return;
        }
        html.Open("div").Attr("id", "tabs-runcommands").Element("h2", "RunCommand");
        foreach (var run in Model.RunCommands)
        {
            html.Open("p").Element("code", run.Command).Text(" · started ").Time(run.StartedAt, Now)
                .Text(run.FinishedAt is null ? " · running" : run.ExitCode is { } code ? $" · exit code {Widgets.Number(code)}" : " · killed (time limit)")
                .Close()
                .Element("pre", run.Output, "log");
        }
        html.Close();
    }

    /// <summary>The buttons this user may use on this build now; none for visitors.</summary>
    private void ActionButtons(Html html)
    {
        if (SignedInUser is not { } user || FormToken is not { } token)
        {
            return;
        }
        var owner = Model.ProjectOwner;
        var url = $"/build/{Model.Id}";
        var buttons = new List<ActionButton>();
        if (!Model.Finished && BuildRights.MayCancel(user, Model.Project, owner))
        {
            buttons.Add(new($"{url}/cancel", "Cancel", "Stop this build; its steps that no other build needs stop too"));
        }
        if (!Model.Finished && BuildRights.MayBump(user, Model.Project, owner))
        {
            buttons.Add(new($"{url}/bump", "Bump to front", "Build this before everything queued so far"));
        }
        if (BuildRestarts.IsRestartable(Model.Finished, Model.Status) && BuildRights.MayRestart(user, Model.Project, owner))
        {
            buttons.Add(new($"{url}/restart", "Restart", "Queue the failed steps of this build again"));
        }
        if (BuildRights.MayKeep(user, Model.Project, owner))
        {
            buttons.Add(Model.Keep
                ? new($"{url}/unkeep", "Unkeep", "Let garbage collection remove the outputs again")
                : new($"{url}/keep", "Keep", "Keep the outputs from garbage collection"));
        }
        html.ActionButtons(token, buttons);
    }
}
