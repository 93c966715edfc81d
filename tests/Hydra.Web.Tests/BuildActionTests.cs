using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Hydra.Core;
using Hydra.Core.Data.Entities;
using Hydra.Web.Auth;
using Microsoft.EntityFrameworkCore;

namespace Hydra.Web.Tests;

/// <summary>Cancel, restart, bump and keep: the build page's buttons and the same URLs for scripts, with Hydra's rights.</summary>
public sealed class BuildActionTests(HydraWebFactory factory) : IClassFixture<HydraWebFactory>
{
    /// <summary>A build of project <paramref name="project"/> (owner alice) whose top step is in <paramref name="state"/>.</summary>
    private async Task<(long Build, long Step)> SeedAsync(string project, StepState state, int? buildStatus = null, int? stepStatus = null)
    {
        (long, long) ids = default;
        await factory.WithDbAsync(async db =>
        {
            var jobset = await Seed.JobsetAsync(db, project, "main");
            var eval = await Seed.EvalAsync(db, jobset);
            var step = await Seed.StepAsync(db, state, stepStatus);
            ids = ((await Seed.BuildAsync(db, jobset, eval, "job", buildStatus, step)).Id, step.Id);
        });
        return ids;
    }

    private async Task<Build> BuildAsync(long id)
    {
        Build build = null!;
        await factory.WithDbAsync(async db => build = await db.Builds.AsNoTracking().SingleAsync(b => b.Id == id));
        return build;
    }

    private async Task<StepState> StepStateAsync(long id)
    {
        StepState state = default;
        await factory.WithDbAsync(async db => state = await db.Steps.Where(s => s.Id == id).Select(s => s.State).SingleAsync());
        return state;
    }

    [Fact]
    public async Task The_project_owner_cancels_from_the_build_page_and_is_sent_back()
    {
        var (build, step) = await SeedAsync("cancel-form", StepState.Runnable);
        var alice = await FormPosts.ClientAsync(factory, "alice");
        var page = await alice.GetStringAsync($"/build/{build}");
        Assert.Contains($"action=\"/build/{build}/cancel\"", page, StringComparison.Ordinal);
        Assert.Contains($"action=\"/build/{build}/bump\"", page, StringComparison.Ordinal);
        Assert.Contains($"action=\"/build/{build}/keep\"", page, StringComparison.Ordinal);
        Assert.DoesNotContain($"/build/{build}/restart", page, StringComparison.Ordinal);

        var response = await alice.PostAsync($"/build/{build}/cancel", FormPosts.Form(FormPosts.Token(page)));

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Equal($"/build/{build}", response.Headers.Location?.OriginalString);
        Assert.Equal(BuildStatus.Cancelled, (await BuildAsync(build)).BuildStatus);
        Assert.Equal(StepState.Cancelled, await StepStateAsync(step));
        var after = await alice.GetStringAsync($"/build/{build}");
        Assert.Contains($"action=\"/build/{build}/restart\"", after, StringComparison.Ordinal);
        Assert.DoesNotContain($"/build/{build}/cancel", after, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_script_with_the_cancel_build_role_cancels_and_a_second_cancel_is_a_conflict()
    {
        var (build, _) = await SeedAsync("cancel-json", StepState.Runnable);
        var canceller = await FormPosts.ClientAsync(factory, "canceller", HydraRoles.CancelBuild);

        var response = await canceller.PostAsJsonAsync($"/build/{build}/cancel", new { });
        var again = await canceller.PostAsJsonAsync($"/build/{build}/cancel", new { });

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal(1, json.RootElement.GetProperty("cancelled").GetInt32());
        Assert.Equal(1, json.RootElement.GetProperty("steps").GetInt32());
        Assert.Equal(HttpStatusCode.Conflict, again.StatusCode);
        Assert.Contains("already finished", await again.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Users_without_the_right_see_no_buttons_and_are_refused()
    {
        var (build, _) = await SeedAsync("no-rights", StepState.Runnable);
        var mallory = await FormPosts.ClientAsync(factory, "mallory-builds", HydraRoles.EvalJobset);
        var page = await mallory.GetStringAsync($"/build/{build}");
        Assert.DoesNotContain($"/build/{build}/cancel\"", page, StringComparison.Ordinal);
        Assert.DoesNotContain("class=\"actions\"", page, StringComparison.Ordinal);
        var token = FormPosts.Token(await mallory.GetStringAsync("/login"));

        var form = await mallory.PostAsync($"/build/{build}/cancel", FormPosts.Form(token));
        var json = await mallory.PostAsJsonAsync($"/build/{build}/restart", new { });
        var anonymous = await factory.CreateClient().PostAsJsonAsync($"/build/{build}/bump", new { });

        Assert.Equal(HttpStatusCode.Forbidden, form.StatusCode);
        Assert.Equal("text/html", form.Content.Headers.ContentType?.MediaType);
        Assert.Contains("cancel-build", await form.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Forbidden, json.StatusCode);
        Assert.Contains("restart-jobs", await json.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Forbidden, anonymous.StatusCode);
        Assert.Contains("Sign in", await anonymous.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.False((await BuildAsync(build)).Finished);
    }

    [Fact]
    public async Task Cross_origin_scripts_and_forms_without_a_valid_token_are_refused()
    {
        var (build, _) = await SeedAsync("csrf-builds", StepState.Runnable);
        var admin = await FormPosts.ClientAsync(factory, "root-builds", HydraRoles.Admin);
        admin.DefaultRequestHeaders.Remove("Origin");
        admin.DefaultRequestHeaders.Add("Origin", "https://evil.example");

        var crossOrigin = await admin.PostAsJsonAsync($"/build/{build}/cancel", new { });
        var forged = await admin.PostAsync($"/build/{build}/cancel", FormPosts.Form("forged"));

        Assert.Equal(HttpStatusCode.Forbidden, crossOrigin.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, forged.StatusCode);
        Assert.False((await BuildAsync(build)).Finished);
    }

    [Fact]
    public async Task Restart_needs_a_finished_build_that_did_not_succeed()
    {
        var (failed, step) = await SeedAsync("restart-failed", StepState.Failed, BuildStatus.Failed, BuildStatus.Failed);
        var (succeeded, _) = await SeedAsync("restart-succeeded", StepState.Succeeded, BuildStatus.Succeeded, BuildStatus.Succeeded);
        var (queued, _) = await SeedAsync("restart-queued", StepState.Runnable);
        var restarter = await FormPosts.ClientAsync(factory, "restarter", HydraRoles.RestartJobs);

        var restarted = await restarter.PostAsJsonAsync($"/build/{failed}/restart", new { });
        var notFailed = await restarter.PostAsJsonAsync($"/build/{succeeded}/restart", new { });
        var notFinished = await restarter.PostAsJsonAsync($"/build/{queued}/restart", new { });
        var missing = await restarter.PostAsJsonAsync("/build/999999/restart", new { });

        Assert.Equal(HttpStatusCode.OK, restarted.StatusCode);
        var build = await BuildAsync(failed);
        Assert.False(build.Finished);
        Assert.NotEqual(step, build.TopStepId);
        Assert.Equal(StepState.Runnable, await StepStateAsync(build.TopStepId!.Value));
        using var json = JsonDocument.Parse(await factory.JsonClient().GetStringAsync($"/build/{failed}"));
        Assert.Equal(0, json.RootElement.GetProperty("finished").GetInt32());
        Assert.Equal(JsonValueKind.Null, json.RootElement.GetProperty("buildstatus").ValueKind);
        Assert.Equal(HttpStatusCode.Conflict, notFailed.StatusCode);
        Assert.Contains("nothing to rebuild", await notFailed.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Conflict, notFinished.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
    }

    [Fact]
    public async Task Bump_puts_a_queued_build_first()
    {
        var (build, step) = await SeedAsync("bumped", StepState.Runnable);
        var bumper = await FormPosts.ClientAsync(factory, "bumper", HydraRoles.BumpToFront);

        var response = await bumper.PostAsJsonAsync($"/build/{build}/bump", new { });

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.True((await BuildAsync(build)).GlobalPriority > 0);
        var priority = 0;
        await factory.WithDbAsync(async db => priority = await db.Steps.Where(s => s.Id == step).Select(s => s.GlobalPriority).SingleAsync());
        Assert.True(priority > 0);
    }

    [Fact]
    public async Task The_owner_keeps_and_unkeeps_a_build_and_others_may_not()
    {
        var (build, _) = await SeedAsync("kept", StepState.Succeeded, BuildStatus.Succeeded, BuildStatus.Succeeded);
        var alice = await FormPosts.ClientAsync(factory, "alice");
        var page = await alice.GetStringAsync($"/build/{build}");

        var keep = await alice.PostAsync($"/build/{build}/keep", FormPosts.Form(FormPosts.Token(page)));

        Assert.Equal(HttpStatusCode.Redirect, keep.StatusCode);
        var kept = await alice.GetStringAsync($"/build/{build}");
        Assert.Contains(">kept<", kept, StringComparison.Ordinal);
        Assert.Contains($"action=\"/build/{build}/unkeep\"", kept, StringComparison.Ordinal);
        using (var json = JsonDocument.Parse(await factory.JsonClient().GetStringAsync($"/build/{build}")))
        {
            Assert.Equal(1, json.RootElement.GetProperty("keep").GetInt32());
        }

        var canceller = await FormPosts.ClientAsync(factory, "not-an-owner", HydraRoles.CancelBuild, HydraRoles.RestartJobs);
        Assert.Equal(HttpStatusCode.Forbidden, (await canceller.PostAsJsonAsync($"/build/{build}/keep/0", new { })).StatusCode);
        Assert.True((await BuildAsync(build)).Keep);

        // Hydra's own form of the URL.
        Assert.Equal(HttpStatusCode.OK, (await alice.PostAsJsonAsync($"/build/{build}/keep/0", new { })).StatusCode);
        Assert.False((await BuildAsync(build)).Keep);
    }
}
