using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Hydra.Core;
using Hydra.Core.Data.Entities;
using Hydra.Web.Auth;
using Hydra.Web.Channels;
using Microsoft.Extensions.DependencyInjection;

namespace Hydra.Web.Tests.Channels;

/// <summary>Channels over the real server and database: following a job, promotion, rollback, history and the channel files.</summary>
public sealed class ChannelTests(HydraWebFactory factory) : IClassFixture<HydraWebFactory>
{
    private sealed record Fixture(Jobset Jobset, string Project, string Name);

    [Fact]
    public async Task Following_channel_advances_only_when_the_job_and_all_its_constituents_succeeded()
    {
        var f = await JobsetAsync();
        var channel = await SaveChannelAsync(f, followJob: "tested");
        var passing = await AggregateEvalAsync(f, BuildStatus.Succeeded, BuildStatus.Succeeded);
        await AggregateEvalAsync(f, BuildStatus.Succeeded, constituentStatus: null);
        await AggregateEvalAsync(f, BuildStatus.Succeeded, BuildStatus.Failed);
        await AggregateEvalAsync(f, BuildStatus.Failed, BuildStatus.Succeeded);

        await AdvanceAsync();

        var current = await CurrentAsync(channel);
        Assert.Equal(passing, current.EvaluationId);
        Assert.Equal(ChannelRevisionKinds.Follow, current.Kind);
        Assert.Null(current.PromotedBy);
    }

    [Fact]
    public async Task A_rollback_holds_until_a_newer_evaluation_passes()
    {
        var f = await JobsetAsync();
        var channel = await SaveChannelAsync(f, followJob: "tested");
        var first = await AggregateEvalAsync(f, BuildStatus.Succeeded, BuildStatus.Succeeded);
        await AdvanceAsync();
        var second = await AggregateEvalAsync(f, BuildStatus.Succeeded, BuildStatus.Succeeded);
        await AdvanceAsync();
        Assert.Equal(second, (await CurrentAsync(channel)).EvaluationId);

        var client = await factory.SignedInClientAsync($"rm-{Guid.NewGuid():N}"[..12], "pw", HydraRoles.ReleaseManager);
        var firstRevision = (await HistoryAsync(channel)).Single(r => r.EvaluationId == first);
        var rollback = await client.PostAsJsonAsync($"/channel/{f.Name}/rollback", new { revision = firstRevision.Id });
        Assert.Equal(HttpStatusCode.OK, rollback.StatusCode);

        await AdvanceAsync();
        var current = await CurrentAsync(channel);
        Assert.Equal(first, current.EvaluationId);
        Assert.Equal(ChannelRevisionKinds.Rollback, current.Kind);
        Assert.Equal(firstRevision.Id, current.RolledBackTo);

        var third = await AggregateEvalAsync(f, BuildStatus.Succeeded, BuildStatus.Succeeded);
        await AdvanceAsync();
        Assert.Equal(third, (await CurrentAsync(channel)).EvaluationId);
        Assert.Equal(4, (await HistoryAsync(channel)).Count);
    }

    [Fact]
    public async Task Promotion_needs_the_release_manager_role_and_records_who_promoted()
    {
        var f = await JobsetAsync();
        var channel = await SaveChannelAsync(f, followJob: null);
        long eval = 0;
        await factory.WithDbAsync(async db => eval = (await Seed.EvalAsync(db, f.Jobset)).Id);

        var visitor = factory.CreateClient();
        visitor.DefaultRequestHeaders.Add("Origin", HydraWebFactory.Origin);
        Assert.Equal(HttpStatusCode.Forbidden, (await visitor.PostAsJsonAsync($"/channel/{f.Name}/promote", new { eval })).StatusCode);
        var plain = await factory.SignedInClientAsync($"u-{Guid.NewGuid():N}"[..12], "pw");
        Assert.Equal(HttpStatusCode.Forbidden, (await plain.PostAsJsonAsync($"/channel/{f.Name}/promote", new { eval })).StatusCode);
        Assert.Empty(await HistoryAsync(channel));

        // The page's form, as a browser posts it: with the page's antiforgery token, then back to the page.
        var manager = $"rm-{Guid.NewGuid():N}"[..12];
        var browser = await FormPosts.ClientAsync(factory, manager, HydraRoles.ReleaseManager);
        var page = await browser.GetStringAsync($"/channel/{f.Name}");
        Assert.Contains("Promote evaluation", page, StringComparison.Ordinal);
        var withoutToken = await browser.PostAsync($"/channel/{f.Name}/promote", new FormUrlEncodedContent([KeyValuePair.Create("eval", eval.ToString())]));
        Assert.Equal(HttpStatusCode.BadRequest, withoutToken.StatusCode);
        var posted = await browser.PostAsync($"/channel/{f.Name}/promote", FormPosts.Form(FormPosts.Token(page), ("eval", eval.ToString())));
        Assert.Equal(HttpStatusCode.Redirect, posted.StatusCode);

        var current = await CurrentAsync(channel);
        Assert.Equal(eval, current.EvaluationId);
        Assert.Equal(manager, current.PromotedBy);
        Assert.Equal(ChannelRevisionKinds.Promote, current.Kind);
        var again = await browser.PostAsync($"/channel/{f.Name}/promote", FormPosts.Form(FormPosts.Token(page), ("eval", eval.ToString())));
        Assert.Equal(HttpStatusCode.Conflict, again.StatusCode);

        var other = await JobsetAsync();
        long foreign = 0;
        await factory.WithDbAsync(async db => foreign = (await Seed.EvalAsync(db, other.Jobset)).Id);
        Assert.Equal(HttpStatusCode.NotFound, (await browser.PostAsync($"/channel/{f.Name}/promote", FormPosts.Form(FormPosts.Token(page), ("eval", foreign.ToString())))).StatusCode);
    }

    [Fact]
    public async Task Channel_json_and_page_show_history_and_what_changed()
    {
        var f = await JobsetAsync();
        await SaveChannelAsync(f, followJob: null);
        long first = 0, second = 0;
        await factory.WithDbAsync(async db =>
        {
            var e1 = await Seed.EvalAsync(db, f.Jobset);
            var e2 = await Seed.EvalAsync(db, f.Jobset);
            first = e1.Id;
            second = e2.Id;
            var kept = await Seed.BuildAsync(db, f.Jobset, e1, "kept", BuildStatus.Succeeded);
            db.Add(new EvaluationMember { EvaluationId = e2.Id, BuildId = kept.Id, IsNew = false });
            await Seed.BuildAsync(db, f.Jobset, e1, "gone", BuildStatus.Succeeded);
            await Seed.BuildAsync(db, f.Jobset, e1, "bumped", BuildStatus.Succeeded);
            await Seed.BuildAsync(db, f.Jobset, e2, "bumped", BuildStatus.Failed);
            await Seed.BuildAsync(db, f.Jobset, e2, "fresh", BuildStatus.Succeeded);
            await db.SaveChangesAsync();
        });
        var client = await factory.SignedInClientAsync($"rm-{Guid.NewGuid():N}"[..12], "pw", HydraRoles.ReleaseManager);
        (await client.PostAsJsonAsync($"/channel/{f.Name}/promote", new { eval = first })).EnsureSuccessStatusCode();
        (await client.PostAsJsonAsync($"/channel/{f.Name}/promote", new { eval = second })).EnsureSuccessStatusCode();

        using var json = JsonDocument.Parse(await factory.JsonClient().GetStringAsync($"/channel/{f.Name}"));
        var root = json.RootElement;
        Assert.Equal(second, root.GetProperty("current").GetProperty("eval").GetInt64());
        Assert.Equal([second, first], root.GetProperty("history").EnumerateArray().Select(r => r.GetProperty("eval").GetInt64()));
        var changes = root.GetProperty("changes");
        Assert.Equal(first, changes.GetProperty("from").GetInt64());
        Assert.Equal(["fresh"], changes.GetProperty("added").EnumerateArray().Select(b => b.GetProperty("job").GetString()));
        Assert.Equal(["gone"], changes.GetProperty("removed").EnumerateArray().Select(b => b.GetProperty("job").GetString()));
        Assert.Equal(["bumped"], changes.GetProperty("changed").EnumerateArray().Select(b => b.GetProperty("job").GetString()));

        var html = await client.GetStringAsync($"/channel/{f.Name}");
        Assert.Contains("1 job(s) added, 1 removed, 1 changed", html, StringComparison.Ordinal);
        Assert.Contains("Roll back here", html, StringComparison.Ordinal);
        var visitorPage = await factory.CreateClient().GetStringAsync($"/channel/{f.Name}");
        Assert.DoesNotContain("Roll back here", visitorPage, StringComparison.Ordinal);
        Assert.DoesNotContain("Promote evaluation", visitorPage, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Store_paths_and_binary_cache_url_follow_the_current_revision()
    {
        var f = await JobsetAsync();
        await SaveChannelAsync(f, followJob: null);
        long eval = 0;
        var outputs = new List<string>();
        await factory.WithDbAsync(async db =>
        {
            var e = await Seed.EvalAsync(db, f.Jobset);
            eval = e.Id;
            outputs.Add((await Seed.BuildAsync(db, f.Jobset, e, "a", BuildStatus.Succeeded)).Outputs.Single().Path);
            outputs.Add((await Seed.BuildAsync(db, f.Jobset, e, "b", BuildStatus.Succeeded)).Outputs.Single().Path);
            await Seed.BuildAsync(db, f.Jobset, e, "broken", BuildStatus.Failed);
        });
        var anonymous = factory.CreateClient();
        Assert.Equal(HttpStatusCode.NotFound, (await anonymous.GetAsync($"/channel/{f.Name}/store-paths")).StatusCode);
        var client = await factory.SignedInClientAsync($"rm-{Guid.NewGuid():N}"[..12], "pw", HydraRoles.ReleaseManager);
        (await client.PostAsJsonAsync($"/channel/{f.Name}/promote", new { eval })).EnsureSuccessStatusCode();

        var storePaths = await anonymous.GetStringAsync($"/channel/{f.Name}/store-paths");
        Assert.Equal(outputs.Order(StringComparer.Ordinal), storePaths.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        var xz = await anonymous.GetByteArrayAsync($"/channel/{f.Name}/store-paths.xz");
        Assert.Equal([0xFD, (byte)'7', (byte)'z', (byte)'X', (byte)'Z', 0], xz[..6]);
        Assert.Equal("http://localhost/cache\n", await anonymous.GetStringAsync($"/channel/{f.Name}/binary-cache-url"));
    }

    [Fact]
    public async Task Latest_finished_skips_evaluations_that_still_have_unfinished_builds()
    {
        var f = await JobsetAsync();
        long finishedBuild = 0;
        await factory.WithDbAsync(async db =>
        {
            var done = await Seed.EvalAsync(db, f.Jobset);
            finishedBuild = (await Seed.BuildAsync(db, f.Jobset, done, "tested", BuildStatus.Succeeded)).Id;
            var busy = await Seed.EvalAsync(db, f.Jobset);
            await Seed.BuildAsync(db, f.Jobset, busy, "tested", BuildStatus.Succeeded);
            await Seed.BuildAsync(db, f.Jobset, busy, "slow");
        });
        var client = factory.CreateClient(new Microsoft.AspNetCore.Mvc.Testing.WebApplicationFactoryClientOptions { AllowAutoRedirect = false });

        var latest = await client.GetAsync($"/job/{f.Project}/{f.Jobset.Name}/tested/latest-finished");

        Assert.Equal(HttpStatusCode.Redirect, latest.StatusCode);
        Assert.Equal($"/build/{finishedBuild}", latest.Headers.Location!.OriginalString);
        Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync($"/job/{f.Project}/{f.Jobset.Name}/slow/latest-finished")).StatusCode);
    }

    [Fact]
    public async Task Custom_channel_redirects_to_the_builds_channel_product()
    {
        var f = await JobsetAsync();
        long build = 0;
        await factory.WithDbAsync(async db =>
        {
            var e = await Seed.EvalAsync(db, f.Jobset);
            var b = await Seed.BuildAsync(db, f.Jobset, e, "unstable", BuildStatus.Succeeded);
            build = b.Id;
            db.Add(new BuildProduct { BuildId = b.Id, ProductNr = 1, Type = "file", Subtype = "doc", Path = b.Outputs.Single().Path + "/README", Name = "README" });
            db.Add(new BuildProduct { BuildId = b.Id, ProductNr = 2, Type = "channel", Subtype = "", Path = b.Outputs.Single().Path + "/tarballs/nixexprs.tar.xz", Name = "nixexprs.tar.xz" });
            await db.SaveChangesAsync();
        });
        var client = factory.CreateClient(new Microsoft.AspNetCore.Mvc.Testing.WebApplicationFactoryClientOptions { AllowAutoRedirect = false });
        var url = $"/channel/custom/{f.Project}/{f.Jobset.Name}/unstable";

        Assert.Equal($"/build/{build}/download/2/nixexprs.tar.xz", (await client.GetAsync(url + "/nixexprs.tar.xz")).Headers.Location!.OriginalString);
        Assert.Equal($"/build/{build}", (await client.GetAsync(url)).Headers.Location!.OriginalString);
        Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync(url + "/README")).StatusCode);
        Assert.Equal("http://localhost/cache\n", await client.GetStringAsync(url + "/binary-cache-url"));
    }

    [Fact]
    public async Task Saving_a_channel_needs_the_role_and_an_existing_jobset()
    {
        var f = await JobsetAsync();
        var plain = await factory.SignedInClientAsync($"u-{Guid.NewGuid():N}"[..12], "pw");
        Assert.Equal(HttpStatusCode.Forbidden, (await plain.PutAsJsonAsync($"/channel/{f.Name}", new { project = f.Project, jobset = f.Jobset.Name })).StatusCode);
        var admin = await factory.SignedInClientAsync($"a-{Guid.NewGuid():N}"[..12], "pw", HydraRoles.Admin);
        Assert.Equal(HttpStatusCode.NotFound, (await admin.PutAsJsonAsync($"/channel/{f.Name}", new { project = f.Project, jobset = "nope" })).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await admin.PutAsJsonAsync("/channel/custom", new { project = f.Project, jobset = f.Jobset.Name })).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await admin.PutAsJsonAsync($"/channel/{f.Name}", new { project = f.Project, jobset = f.Jobset.Name, followjob = "tested" })).StatusCode);
        Assert.Equal("tested", (await factory.Services.GetRequiredService<ChannelStore>().FindAsync(f.Name, CancellationToken.None))!.FollowJob);
    }

    private async Task<Fixture> JobsetAsync()
    {
        var project = $"p{Guid.NewGuid():N}"[..10];
        Jobset jobset = null!;
        await factory.WithDbAsync(async db => jobset = await Seed.JobsetAsync(db, project, "trunk"));
        return new Fixture(jobset, project, $"ch-{project}");
    }

    private async Task<Channel> SaveChannelAsync(Fixture f, string? followJob)
    {
        var store = factory.Services.GetRequiredService<ChannelStore>();
        Assert.True(await store.SaveAsync(f.Name, f.Project, f.Jobset.Name, followJob, "", CancellationToken.None));
        return (await store.FindAsync(f.Name, CancellationToken.None))!;
    }

    /// <summary>A new evaluation with an aggregate "tested" and its one constituent "unit"; a null status leaves a build unfinished.</summary>
    private async Task<long> AggregateEvalAsync(Fixture f, int? aggregateStatus, int? constituentStatus)
    {
        long id = 0;
        await factory.WithDbAsync(async db =>
        {
            var eval = await Seed.EvalAsync(db, f.Jobset);
            id = eval.Id;
            var unit = await Seed.BuildAsync(db, f.Jobset, eval, "unit", constituentStatus);
            var tested = await Seed.BuildAsync(db, f.Jobset, eval, "tested", aggregateStatus);
            db.Add(new AggregateConstituent { AggregateId = tested.Id, ConstituentId = unit.Id });
            await db.SaveChangesAsync();
        });
        return id;
    }

    private Task AdvanceAsync() => factory.Services.GetRequiredService<ChannelFollower>().AdvanceAsync(CancellationToken.None);

    private async Task<ChannelRevision> CurrentAsync(Channel channel) =>
        (await factory.Services.GetRequiredService<ChannelStore>().CurrentAsync(channel.Id, CancellationToken.None))!;

    private Task<IReadOnlyList<ChannelRevision>> HistoryAsync(Channel channel) =>
        factory.Services.GetRequiredService<ChannelStore>().HistoryAsync(channel.Id, null, 100, CancellationToken.None);
}
