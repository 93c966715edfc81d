using System.Text.Json.Nodes;
using Hydra.Core.Notifications;
using Hydra.Core.Notifications.Forges;
using Hydra.Core.Protocol;

namespace Hydra.Queue.Tests.Notifications;

/// <summary>Commit statuses and check runs against a local fake forge that records and checks every request.</summary>
public sealed class ForgeStatusTests
{
    private const string Sha = "0123456789abcdef0123456789abcdef01234567";

    [Fact]
    public async Task GitHub_gets_a_status_per_job_event_and_one_check_run_per_evaluation()
    {
        await using var github = await FakeReceiver.StartAsync();
        await using var harness = await NotificationHarness.CreateAsync();
        await harness.AddSinkAsync(NotificationSinkKinds.GitHub, new JsonObject
        {
            ["token"] = "ghp_test", ["apiUrl"] = github.Url + "/api/v3", ["context"] = "ci/hydra",
        });
        var evaluation = await harness.AddEvaluationAsync("https://github.com/octo/widgets.git", Sha);
        var (_, good) = await harness.AddBuildAsync("good", evaluation);
        var (_, bad) = await harness.AddBuildAsync("bad", evaluation);

        await harness.DeliverAsync();
        await harness.BuildNextAsync(StepOutcome.Succeeded);
        await harness.BuildNextAsync(StepOutcome.Failed);
        while (await harness.DeliverAsync() > 0)
        {
        }

        var requests = github.Requests.ToList();
        Assert.All(requests, r =>
        {
            Assert.Equal("POST", r.Method);
            Assert.Equal("Bearer ghp_test", r.Header("Authorization"));
            Assert.Equal("application/vnd.github+json", r.Header("Accept"));
            Assert.Equal("2022-11-28", r.Header("X-GitHub-Api-Version"));
            Assert.False(string.IsNullOrEmpty(r.Header("User-Agent")));
        });
        var statuses = requests.Where(r => r.Path == $"/api/v3/repos/octo/widgets/statuses/{Sha}").Select(r => r.Json).ToList();
        // Queued: pending for both; the started events were superseded by the finish before delivery and skipped.
        Assert.Equal(["pending", "success"], States(statuses, "ci/hydra:p:j:good"));
        Assert.Equal(["pending", "failure"], States(statuses, "ci/hydra:p:j:bad"));
        var failure = statuses.Single(s => s.GetProperty("state").GetString() == "failure");
        Assert.Equal($"https://hydra.test/build/{bad}", failure.GetProperty("target_url").GetString());
        Assert.StartsWith($"Hydra build {bad} of p:j:bad: Failed", failure.GetProperty("description").GetString());

        var checkRun = Assert.Single(requests, r => r.Path == "/api/v3/repos/octo/widgets/check-runs").Json;
        Assert.Equal("ci/hydra", checkRun.GetProperty("name").GetString());
        Assert.Equal(Sha, checkRun.GetProperty("head_sha").GetString());
        Assert.Equal("completed", checkRun.GetProperty("status").GetString());
        Assert.Equal("failure", checkRun.GetProperty("conclusion").GetString());
        Assert.Equal($"https://hydra.test/eval/{evaluation}", checkRun.GetProperty("details_url").GetString());
        var summary = checkRun.GetProperty("output").GetProperty("summary").GetString()!;
        Assert.Contains("1 of 2 builds succeeded", summary);
        Assert.Contains($"| `bad` | Failed | [{bad}](https://hydra.test/build/{bad}) |", summary);
        Assert.DoesNotContain("`good`", summary);
        Assert.Equal(5, requests.Count);
        Assert.Equal(0L, await harness.ScalarAsync<long>($"SELECT count(*) FROM notification_deliveries WHERE state <> 1 AND {good} > 0"));
    }

    [Fact]
    public async Task A_rate_limited_forge_is_asked_again_at_its_reset_time()
    {
        await using var github = await FakeReceiver.StartAsync();
        await using var harness = await NotificationHarness.CreateAsync();
        var reset = harness.Queue.Clock.GetUtcNow() + TimeSpan.FromMinutes(20);
        github.Reply = (_, n) => n == 1
            ? (403, new() { ["X-RateLimit-Remaining"] = "0", ["X-RateLimit-Reset"] = reset.ToUnixTimeSeconds().ToString(System.Globalization.CultureInfo.InvariantCulture) })
            : n == 2 ? (429, new() { ["Retry-After"] = "90" }) : (201, null);
        await harness.AddSinkAsync(NotificationSinkKinds.GitHub, new JsonObject { ["token"] = "t", ["apiUrl"] = github.Url }, ["build_finished"]);
        var evaluation = await harness.AddEvaluationAsync("git@github.com:octo/widgets.git", Sha);
        await harness.AddBuildAsync("limited", evaluation);
        await harness.BuildNextAsync(StepOutcome.Succeeded);

        await harness.DeliverAsync();
        Assert.Equal(reset, await NextAttemptAsync(harness));
        harness.Queue.Clock.Advance(TimeSpan.FromMinutes(19));
        Assert.Equal(0, await harness.DeliverAsync());
        harness.Queue.Clock.Advance(TimeSpan.FromMinutes(1));
        await harness.DeliverAsync();
        // Retry-After (90 s) is longer than the second backoff would be at its shortest (48 s): it wins.
        Assert.Equal(harness.Queue.Clock.GetUtcNow() + TimeSpan.FromSeconds(90), await NextAttemptAsync(harness), TimeSpan.FromSeconds(90 * 0.45));
        harness.Queue.Clock.Advance(TimeSpan.FromMinutes(3));
        await harness.DeliverAsync();

        Assert.Equal(3, github.Requests.Count);
        Assert.All(github.Requests, r => Assert.Equal($"/repos/octo/widgets/statuses/{Sha}", r.Path));
        Assert.Equal((short)1, await harness.ScalarAsync<short>("SELECT state FROM notification_deliveries"));
        Assert.StartsWith("rate limited: HTTP 429", await harness.ScalarAsync<string>("SELECT last_error FROM notification_deliveries"));
    }

    [Fact]
    public async Task Gitea_and_GitLab_get_commit_statuses_in_their_own_spelling()
    {
        await using var forge = await FakeReceiver.StartAsync();
        await using var harness = await NotificationHarness.CreateAsync();
        await harness.AddSinkAsync(NotificationSinkKinds.Gitea, new JsonObject { ["token"] = "gitea-token", ["apiUrl"] = forge.Url }, jobs: "web*");
        await harness.AddSinkAsync(NotificationSinkKinds.GitLab, new JsonObject { ["token"] = "gitlab-token", ["apiUrl"] = forge.Url, ["repo"] = "group/sub/project" });
        var evaluation = await harness.AddEvaluationAsync("https://gitea.example.org/team/site.git", Sha);
        var (_, build) = await harness.AddBuildAsync("website", evaluation);
        await harness.AddBuildAsync("other", evaluation);
        await harness.Queue.ExecuteAsync($"UPDATE builds SET start_time = now() WHERE id = {build}");
        await harness.DeliverAsync();
        await harness.Queue.ExecuteAsync($"UPDATE builds SET finished = true, build_status = 1, stop_time = now() WHERE id = {build}");
        await harness.DeliverAsync();

        var gitea = forge.Requests.Where(r => r.Path.StartsWith("/api/v1/", StringComparison.Ordinal)).ToList();
        Assert.All(gitea, r => Assert.Equal($"/api/v1/repos/team/site/statuses/{Sha}", r.Path));
        Assert.All(gitea, r => Assert.Equal("token gitea-token", r.Header("Authorization")));
        // The queued status was superseded (the build had started when it was sent); Gitea has no "running".
        Assert.Equal(["pending", "failure"], States(gitea.Select(r => r.Json), "continuous-integration/hydra:p:j:website"));
        Assert.Equal(2, gitea.Count);

        var gitlab = forge.Requests.Where(r => r.Path.StartsWith("/api/v4/", StringComparison.Ordinal)).ToList();
        Assert.All(gitlab, r => Assert.Equal($"/api/v4/projects/group%2Fsub%2Fproject/statuses/{Sha}", r.Path));
        Assert.All(gitlab, r => Assert.Equal("gitlab-token", r.Header("PRIVATE-TOKEN")));
        Assert.Equal(["running", "failed"], States(gitlab.Select(r => r.Json), "continuous-integration/hydra:p:j:website", "name"));
        Assert.Equal(["pending"], States(gitlab.Select(r => r.Json), "continuous-integration/hydra:p:j:other", "name"));
        Assert.Equal($"https://hydra.test/build/{build}", gitlab[^1].Json.GetProperty("target_url").GetString());
    }

    [Fact]
    public async Task A_build_of_no_evaluation_commit_is_skipped_with_the_reason()
    {
        await using var forge = await FakeReceiver.StartAsync();
        await using var harness = await NotificationHarness.CreateAsync();
        await harness.AddSinkAsync(NotificationSinkKinds.GitHub, new JsonObject { ["token"] = "t", ["apiUrl"] = forge.Url }, ["build_queued"]);
        await harness.AddBuildAsync("orphan");

        await harness.DeliverAsync();

        Assert.Empty(forge.Requests);
        Assert.Equal([(short)1, "The event belongs to no evaluation yet."], (await harness.RowsAsync("SELECT state, note FROM notification_deliveries")).Single());
    }

    [Fact]
    public async Task Without_an_api_url_the_status_goes_to_the_input_urls_scheme_host_and_port()
    {
        await using var gitea = await FakeReceiver.StartAsync();
        await using var harness = await NotificationHarness.CreateAsync();
        await harness.AddSinkAsync(NotificationSinkKinds.Gitea, new JsonObject { ["token"] = "gitea-token" }, ["build_queued"]);
        var evaluation = await harness.AddEvaluationAsync($"git+{gitea.Url}/team/site.git?ref=main", Sha);
        await harness.AddBuildAsync("website", evaluation);

        await harness.DeliverAsync();

        Assert.Equal($"/api/v1/repos/team/site/statuses/{Sha}", Assert.Single(gitea.Requests).Path);
    }

    [Theory]
    [InlineData("/srv/git/local")]
    [InlineData("https://git.example.org/widget")]
    public async Task An_input_url_that_names_no_owner_and_repository_is_skipped_with_the_reason(string url)
    {
        await using var forge = await FakeReceiver.StartAsync();
        await using var harness = await NotificationHarness.CreateAsync();
        await harness.AddSinkAsync(NotificationSinkKinds.GitHub, new JsonObject { ["token"] = "t", ["apiUrl"] = forge.Url }, ["build_queued"]);
        var evaluation = await harness.AddEvaluationAsync(url, Sha);
        await harness.AddBuildAsync("website", evaluation);

        await harness.DeliverAsync();

        Assert.Empty(forge.Requests);
        var row = (await harness.RowsAsync("SELECT state, note FROM notification_deliveries")).Single();
        Assert.Equal((short)1, row[0]);
        Assert.StartsWith("Input '", (string)row[1]!);
        Assert.EndsWith("has no repository URL to name the repository; set 'repo'.", (string)row[1]!);
    }

    /// <summary>The states posted for one context, in the order the forge got them.</summary>
    private static List<string?> States(IEnumerable<System.Text.Json.JsonElement> bodies, string context, string contextField = "context") =>
        bodies.Where(b => b.GetProperty(contextField).GetString() == context).Select(b => b.GetProperty("state").GetString()).ToList();

    private static async Task<DateTimeOffset> NextAttemptAsync(NotificationHarness harness) =>
        new((DateTime)(await harness.RowsAsync("SELECT next_attempt_at FROM notification_deliveries")).Single()[0]);
}
