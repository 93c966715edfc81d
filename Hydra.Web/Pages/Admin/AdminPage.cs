using Hydra.Web.Pages.Shared;
using Microsoft.AspNetCore.Components;

namespace Hydra.Web.Pages.Admin;

/// <summary>
/// <c>GET /admin</c> (admin role): what the background loops are doing, read from what they leave in the database
/// (<see cref="BackgroundWork"/>), and the failure cache with its "Clear" button.
/// </summary>
public sealed class AdminPage : PageComponent
{
    [Parameter, EditorRequired] public BackgroundWork Work { get; set; } = null!;

    /// <summary>Which roles this server process runs (Hydra:Roles) and whether it warms evaluation comparisons.</summary>
    [Parameter, EditorRequired] public string ProcessRoles { get; set; } = "";

    [Parameter] public bool WarmsComparisons { get; set; }

    /// <summary>Set right after "Clear failure cache": how many entries went.</summary>
    [Parameter] public int? Cleared { get; set; }

    protected override string Title => "Administration";

    protected override void Breadcrumbs(Html html) => html.Link("/", "Projects").Text(" › admin");

    protected override void Body(Html html)
    {
        html.AdminTabs("/admin");
        if (Cleared is { } cleared)
        {
            html.Element("p", $"Cleared {Widgets.Number(cleared)} failure cache entries.", "notice");
        }
        html.Open("p", "hint").Text($"This server process runs: {ProcessRoles}. Other processes sharing the database run the rest; " +
            "what follows is read from the database, so it covers them all.").Close();

        var w = Work;
        html.Element("h2", "Evaluator");
        html.Open("dl", "summary")
            .Element("dt", "Evaluating now").Element("dd", $"{Widgets.Number(w.Evaluating)} jobsets")
            .Element("dt", "Triggered, waiting").Element("dd", $"{Widgets.Number(w.Triggered)} jobsets")
            .Element("dt", "Last check of a jobset").Open("dd").Time(w.LastChecked, Now).Close()
            .Element("dt", "Newest evaluation").Open("dd").Time(w.LastEvaluation, Now).Close()
            .Element("dt", "Jobsets failing to evaluate").Element("dd", Widgets.Number(w.FailingJobsets))
            .Close();
        html.Table(w.RecentErrors, "No jobset failed its last evaluation.", ["Jobset", "When", "Error"], error =>
            html.Open("td").Link($"/jobset/{error.Project}/{error.Jobset}", $"{error.Project}:{error.Jobset}").Close()
                .Open("td").Time(error.Time, Now).Close()
                .Open("td").Element("code", error.Message).Close());

        html.Element("h2", "Queue and lease reaper");
        html.Open("dl", "summary")
            .Element("dt", "Runnable steps").Element("dd", Widgets.Number(w.RunnableSteps))
            .Element("dt", "No worker for their system").Element("dd", Widgets.Number(w.UnsupportedSteps))
            .Element("dt", "Running attempts").Element("dd", Widgets.Number(w.RunningAttempts))
            .Element("dt", "Workers online").Open("dd").Text(Widgets.Number(w.WorkersOnline) + " ").Link("/admin/workers", "manage").Close()
            .Element("dt", "Expired leases not yet taken back").Open("dd", w.ExpiredLeases > 0 ? "alert" : null)
            .Text(Widgets.Number(w.ExpiredLeases));
        if (w.OldestExpiredLease is { } oldest)
        {
            html.Text(" (oldest expired ").Time(oldest, Now).Text("; the reaper takes leases back within seconds, so a queue role may be down)");
        }
        html.Close().Close();

        html.Element("h2", "Evaluation comparisons");
        html.Element("p", WarmsComparisons
            ? "This process compares each jobset's newest evaluation in the background, so the first viewers of an evaluation page share the result."
            : "This process does not warm evaluation comparisons (Hydra:Web:WarmEvaluationComparisons is off, or it does not serve pages); the first viewer of an evaluation page waits for its comparison.");

        html.Element("h2", "Failure cache");
        html.Element("p", $"{Widgets.Number(w.FailureCacheEntries)} derivations are known to fail: a new step for one of them fails at once " +
            "without being built. Clear the cache after fixing what made them fail (a builder, the network); the next evaluation needing them builds them again.");
        if (FormToken is { } token && w.FailureCacheEntries > 0)
        {
            html.PostButton("/api/clear-failed-cache", token, "Clear failure cache", "Forget every cached build failure");
        }
    }
}
