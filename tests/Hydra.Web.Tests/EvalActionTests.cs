using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Hydra.Core;
using Hydra.Core.Data.Entities;
using Hydra.Web.Auth;
using Microsoft.EntityFrameworkCore;

namespace Hydra.Web.Tests;

/// <summary>An evaluation's cancel, restart-failed, restart-aborted and bump, from its page and for scripts.</summary>
public sealed class EvalActionTests(HydraWebFactory factory) : IClassFixture<HydraWebFactory>
{
    /// <summary>An evaluation of a project owned by alice with a queued, an aborted and a failed build.</summary>
    private async Task<(long Eval, long Queued, long Aborted, long Failed)> SeedAsync(string project)
    {
        (long, long, long, long) ids = default;
        await factory.WithDbAsync(async db =>
        {
            var jobset = await Seed.JobsetAsync(db, project, "main");
            var eval = await Seed.EvalAsync(db, jobset);
            var queued = await Seed.BuildAsync(db, jobset, eval, "queued", null, await Seed.StepAsync(db, StepState.Runnable));
            var aborted = await Seed.BuildAsync(db, jobset, eval, "aborted", BuildStatus.Aborted, await Seed.StepAsync(db, StepState.Failed, BuildStatus.Aborted));
            var failed = await Seed.BuildAsync(db, jobset, eval, "failed", BuildStatus.Failed, await Seed.StepAsync(db, StepState.Failed, BuildStatus.Failed));
            ids = (eval.Id, queued.Id, aborted.Id, failed.Id);
        });
        return ids;
    }

    private async Task<bool> FinishedAsync(long build)
    {
        var finished = false;
        await factory.WithDbAsync(async db => finished = await db.Builds.Where(b => b.Id == build).Select(b => b.Finished).SingleAsync());
        return finished;
    }

    private static async Task<int> CountAsync(HttpResponseMessage response, string key)
    {
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return json.RootElement.GetProperty(key).GetInt32();
    }

    [Fact]
    public async Task The_owner_restarts_the_aborted_builds_from_the_evaluation_page()
    {
        var (eval, queued, aborted, failed) = await SeedAsync("eval-page");
        var alice = await FormPosts.ClientAsync(factory, "alice");
        var page = await alice.GetStringAsync($"/eval/{eval}");
        foreach (var action in new[] { "cancel", "bump", "restart-failed", "restart-aborted" })
        {
            Assert.Contains($"action=\"/eval/{eval}/{action}\"", page, StringComparison.Ordinal);
        }

        var response = await alice.PostAsync($"/eval/{eval}/restart-aborted", FormPosts.Form(FormPosts.Token(page)));

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Equal($"/eval/{eval}", response.Headers.Location?.OriginalString);
        Assert.False(await FinishedAsync(aborted));
        Assert.True(await FinishedAsync(failed));
        Assert.False(await FinishedAsync(queued));
    }

    [Fact]
    public async Task Scripts_with_the_roles_cancel_bump_and_restart_an_evaluation()
    {
        var (eval, queued, aborted, failed) = await SeedAsync("eval-json");
        var operator_ = await FormPosts.ClientAsync(factory, "eval-operator", HydraRoles.CancelBuild, HydraRoles.RestartJobs, HydraRoles.BumpToFront);

        Assert.Equal(1, await CountAsync(await operator_.PostAsJsonAsync($"/eval/{eval}/bump", new { }), "bumped"));
        Assert.Equal(1, await CountAsync(await operator_.PostAsJsonAsync($"/eval/{eval}/cancel", new { }), "cancelled"));
        Assert.True(await FinishedAsync(queued));
        // The cancelled build counts as failed now: all three restart.
        Assert.Equal(3, await CountAsync(await operator_.PostAsJsonAsync($"/eval/{eval}/restart-failed", new { }), "restarted"));
        Assert.False(await FinishedAsync(aborted));
        Assert.False(await FinishedAsync(failed));
    }

    [Fact]
    public async Task Without_rights_the_page_has_no_buttons_and_the_posts_are_refused()
    {
        var (eval, queued, _, _) = await SeedAsync("eval-refused");
        var mallory = await FormPosts.ClientAsync(factory, "mallory-evals");
        var page = await mallory.GetStringAsync($"/eval/{eval}");

        Assert.DoesNotContain($"/eval/{eval}/cancel", page, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Forbidden, (await mallory.PostAsJsonAsync($"/eval/{eval}/cancel", new { })).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await mallory.PostAsJsonAsync("/eval/999999/cancel", new { })).StatusCode);
        Assert.False(await FinishedAsync(queued));
    }
}
