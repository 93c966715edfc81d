using System.Net;
using System.Text.Json;
using Hydra.Core.Data.Entities;
using Microsoft.EntityFrameworkCore;

namespace Hydra.Web.Tests;

/// <summary>/status/evaluations and the scheduling state on the jobset page, over rows the evaluator would write.</summary>
public sealed class EvaluationStatusTests(HydraWebFactory factory) : IClassFixture<HydraWebFactory>
{
    private Task SetAsync(string project, Action<Jobset> change) => factory.WithDbAsync(async db =>
    {
        var jobset = await db.Jobsets.SingleAsync(j => j.Project!.Name == project);
        change(jobset);
        await db.SaveChangesAsync();
    });

    [Fact]
    public async Task Running_and_queued_evaluations_are_listed_in_html_and_json()
    {
        await factory.WithDbAsync(async db =>
        {
            await Seed.JobsetAsync(db, "running", "main");
            await Seed.JobsetAsync(db, "waiting", "main");
            await Seed.JobsetAsync(db, "off", "main");
        });
        // The page says how long ago against the clock now; Seed.Now is fixed when the run's first test seeds.
        var now = DateTimeOffset.FromUnixTimeSeconds(DateTimeOffset.UtcNow.ToUnixTimeSeconds());
        await SetAsync("running", j => { j.EvalStartedAt = now.AddMinutes(-2); j.EvalPhase = "evaluating"; j.EvalPhaseSince = now.AddMinutes(-1); });
        await SetAsync("waiting", j => { j.TriggerTime = now.AddSeconds(-30); j.ForceEval = true; });
        // Disabled jobsets ignore triggers, so they are not waiting for anything.
        await SetAsync("off", j => { j.TriggerTime = now; j.Enabled = 0; });

        var json = JsonDocument.Parse(await factory.JsonClient().GetStringAsync("/status/evaluations")).RootElement;
        var running = Assert.Single(json.GetProperty("inprogress").EnumerateArray(), r => r.GetProperty("project").GetString() == "running");
        Assert.Equal("evaluating", running.GetProperty("phase").GetString());
        Assert.Equal(now.AddMinutes(-1).ToUnixTimeSeconds(), running.GetProperty("phasesince").GetInt64());
        var queued = json.GetProperty("queued").EnumerateArray().Select(q => q.GetProperty("project").GetString()).ToList();
        Assert.Contains("waiting", queued);
        Assert.DoesNotContain("off", queued);

        var (response, phaseTexts) = await RelativeTimes.DuringAsync(now.AddMinutes(-1), () => factory.CreateClient().GetAsync("/status/evaluations"));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var html = await response.Content.ReadAsStringAsync();
        Assert.Contains("Evaluations in progress", html, StringComparison.Ordinal);
        Assert.Contains("href=\"/jobset/running/main\"", html, StringComparison.Ordinal);
        Assert.Contains(">evaluating</span>", html, StringComparison.Ordinal);
        RelativeTimes.AssertContainsOne(phaseTexts, html);
        Assert.Contains("Queued for evaluation", html, StringComparison.Ordinal);
        Assert.Contains("href=\"/jobset/waiting/main\"", html, StringComparison.Ordinal);
        Assert.DoesNotContain("href=\"/jobset/off/main\"", html, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_top_bar_links_to_the_status_page()
    {
        var html = await factory.CreateClient().GetStringAsync("/");
        Assert.Contains("href=\"/status/evaluations\"", html, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_jobset_page_shows_the_running_phase_and_the_last_error_escaped()
    {
        await factory.WithDbAsync(db => Seed.JobsetAsync(db, "phased", "main"));
        await SetAsync("phased", j =>
        {
            j.EvalStartedAt = Seed.Now.AddMinutes(-3);
            j.EvalPhase = "pushing derivations";
            j.EvalPhaseSince = Seed.Now.AddSeconds(-20);
            j.ErrorMessage = "Evaluation failed:\n<b>boom</b>";
            j.ErrorTime = Seed.Now.AddHours(-2);
            j.LastCheckedAt = Seed.Now.AddHours(-2);
        });

        var html = await factory.CreateClient().GetStringAsync("/jobset/phased/main");

        Assert.Contains(">pushing derivations</span>", html, StringComparison.Ordinal);
        Assert.Contains("&lt;b&gt;boom&lt;/b&gt;", html, StringComparison.Ordinal);
        Assert.DoesNotContain("<b>boom</b>", html, StringComparison.Ordinal);
        Assert.Contains("2 hours ago", html, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("disabled-js", (short)0, 300, false, "disabled")]
    [InlineData("manual-js", (short)1, 0, false, "only on trigger")]
    [InlineData("triggered-js", (short)1, 0, true, "now (triggered)")]
    [InlineData("polled-js", (short)1, 3600, false, "in 59 minutes")]
    [InlineData("serial-js", (short)3, 3600, false, "once the latest evaluation")]
    public async Task The_jobset_page_says_when_the_next_check_is_due(string project, short enabled, int interval, bool triggered, string expected)
    {
        await factory.WithDbAsync(db => Seed.JobsetAsync(db, project, "main"));
        await SetAsync(project, j =>
        {
            j.Enabled = enabled;
            j.CheckInterval = interval;
            j.LastCheckedAt = DateTimeOffset.UtcNow.AddSeconds(-30);
            j.TriggerTime = triggered ? DateTimeOffset.UtcNow : null;
        });

        var html = await factory.CreateClient().GetStringAsync($"/jobset/{project}/main");

        var start = html.IndexOf("class=\"next-check\"", StringComparison.Ordinal);
        Assert.True(start >= 0);
        Assert.Contains(expected, html[start..html.IndexOf("</dd>", start, StringComparison.Ordinal)], StringComparison.Ordinal);
    }
}
