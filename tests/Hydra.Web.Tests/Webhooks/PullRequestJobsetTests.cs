using System.Net;
using System.Net.Http.Json;
using Hydra.Evaluator.Forges;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using static Hydra.Web.Tests.Webhooks.WebhookRequests;

namespace Hydra.Web.Tests.Webhooks;

/// <summary>Jobsets that follow pull requests, moved by pull-request webhooks and by the poll of a fake forge.</summary>
public sealed class PullRequestJobsetTests(HydraWebFactory factory) : IClassFixture<HydraWebFactory>, IAsyncLifetime
{
    private FakeForge _forge = null!;
    private WebApplicationFactory<Program> _server = null!;

    public async Task InitializeAsync()
    {
        _forge = await FakeForge.StartAsync();
        _server = factory.WithWebHostBuilder(builder =>
        {
            foreach (var (key, value) in Settings)
            {
                builder.UseSetting(key, value);
            }
            foreach (var forge in new[] { "GitHub", "Gitea", "GitLab" })
            {
                builder.UseSetting($"Hydra:Forges:{forge}:ApiUrl", $"{_forge.Url}/{forge.ToLowerInvariant()}");
                builder.UseSetting($"Hydra:Forges:{forge}:Token", FakeForge.Token);
            }
        });
    }

    public async Task DisposeAsync()
    {
        await _server.DisposeAsync();
        await _forge.DisposeAsync();
    }

    private sealed record Triggered(List<string> JobsetsTriggered);

    private sealed record PullRequestJobset(string Name, short Enabled, int Number, string? Head, bool Triggered, string Description, Dictionary<string, string> Inputs);

    private async Task<List<string>> SendAsync(HttpRequestMessage request)
    {
        var response = await _server.CreateClient().SendAsync(request);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<Triggered>())!.JobsetsTriggered;
    }

    private async Task<List<PullRequestJobset>> PullRequestJobsetsAsync(string project)
    {
        var dataSource = _server.Services.GetRequiredService<NpgsqlDataSource>();
        await using var command = dataSource.CreateCommand(
            """
            SELECT j.name, j.enabled, j.pull_request_number, j.pull_request_head, j.trigger_time IS NOT NULL, j.description,
                   coalesce((SELECT json_object_agg(i.name, i.type || ' ' || i.value) FROM jobset_inputs i WHERE i.jobset_id = j.id)::text, '{}')
            FROM jobsets j JOIN projects p ON p.id = j.project_id
            WHERE p.name = $1 AND j.pull_request_of IS NOT NULL ORDER BY j.pull_request_number
            """);
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = project });
        var rows = new List<PullRequestJobset>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            rows.Add(new PullRequestJobset(reader.GetString(0), reader.GetInt16(1), reader.GetInt32(2), reader.IsDBNull(3) ? null : reader.GetString(3),
                reader.GetBoolean(4), reader.GetString(5), System.Text.Json.JsonSerializer.Deserialize<Dictionary<string, string>>(reader.GetString(6))!));
        }
        return rows;
    }

    private Task ClearTriggersAsync(string project) =>
        factory.WithDbAsync(db => Microsoft.EntityFrameworkCore.RelationalDatabaseFacadeExtensions.ExecuteSqlRawAsync(db.Database,
            "UPDATE jobsets SET trigger_time = NULL WHERE project_id = (SELECT id FROM projects WHERE name = {0})", project));

    private Task AddTemplateAsync(string project, string pullRequests, string git = "https://github.com/acme/widget.git main") =>
        factory.WithDbAsync(db => WebhookJobsets.AddAsync(db, project, "main", git, inputs:
        [
            ("prs", PullRequestSource.InputType, pullRequests),
            ("greeting", "string", "hello"),
        ]));

    private static readonly string HeadA = new('a', 40);
    private static readonly string HeadB = new('b', 40);

    [Fact]
    public async Task A_pull_request_gets_a_jobset_at_its_head_that_follows_new_commits_and_is_disabled_when_it_closes()
    {
        await AddTemplateAsync("follow", "github acme/widget");

        Assert.Equal(["follow:main-pr-7"], await SendAsync(GitHub("pull_request", PullRequest("acme/widget", 7, HeadA))));
        var opened = Assert.Single(await PullRequestJobsetsAsync("follow"));
        Assert.Equal(("main-pr-7", (short)1, 7, HeadA, true), (opened.Name, opened.Enabled, opened.Number, opened.Head, opened.Triggered));
        Assert.Equal("Pull request #7: Change 7", opened.Description);
        // The followed input points at the pull request's head ref; the pullrequests input is not copied.
        Assert.Equal(new Dictionary<string, string>
        {
            ["src"] = "git https://github.com/acme/widget.git refs/pull/7/head",
            ["greeting"] = "string hello",
        }, opened.Inputs);

        // The same head again (another delivery) triggers nothing; a new head does.
        await ClearTriggersAsync("follow");
        Assert.Empty(await SendAsync(GitHub("pull_request", PullRequest("acme/widget", 7, HeadA, action: "edited"))));
        Assert.False(Assert.Single(await PullRequestJobsetsAsync("follow")).Triggered);
        Assert.Equal(["follow:main-pr-7"], await SendAsync(GitHub("pull_request", PullRequest("acme/widget", 7, HeadB, action: "synchronize"))));
        var updated = Assert.Single(await PullRequestJobsetsAsync("follow"));
        Assert.Equal((HeadB, true), (updated.Head, updated.Triggered));

        // Closing disables it (its evaluations stay); reopening enables and triggers it again.
        await ClearTriggersAsync("follow");
        Assert.Empty(await SendAsync(GitHub("pull_request", PullRequest("acme/widget", 7, HeadB, state: "closed", action: "closed"))));
        var closed = Assert.Single(await PullRequestJobsetsAsync("follow"));
        Assert.Equal(((short)0, false), (closed.Enabled, closed.Triggered));
        Assert.Equal(["follow:main-pr-7"], await SendAsync(GitHub("pull_request", PullRequest("acme/widget", 7, HeadB, action: "reopened"))));
        Assert.Equal((short)1, Assert.Single(await PullRequestJobsetsAsync("follow")).Enabled);
    }

    [Fact]
    public async Task Pull_requests_of_other_repositories_or_forges_create_nothing()
    {
        await AddTemplateAsync("elsewhere", "github acme/gadget");

        Assert.Empty(await SendAsync(GitHub("pull_request", PullRequest("acme/nobody", 1, HeadA))));
        Assert.Empty(await SendAsync(Gitea("pull_request", PullRequest("acme/gadget", 1, HeadA))));
        Assert.Empty(await PullRequestJobsetsAsync("elsewhere"));
    }

    [Fact]
    public async Task A_GitLab_merge_request_follows_its_merge_requests_ref()
    {
        await AddTemplateAsync("mr", "gitlab group/sub/widget src", git: "https://gitlab.example.org/group/sub/widget.git main submodules=true");

        Assert.Equal(["mr:main-pr-3"], await SendAsync(GitLab("Merge Request Hook", GitLabMergeRequest("group/sub/widget", 3, HeadA))));
        Assert.Equal("git https://gitlab.example.org/group/sub/widget.git refs/merge-requests/3/head submodules=true",
            Assert.Single(await PullRequestJobsetsAsync("mr")).Inputs["src"]);

        Assert.Empty(await SendAsync(GitLab("Merge Request Hook", GitLabMergeRequest("group/sub/widget", 3, HeadA, state: "merged"))));
        Assert.Equal((short)0, Assert.Single(await PullRequestJobsetsAsync("mr")).Enabled);
    }

    [Fact]
    public async Task A_pull_request_event_with_a_bad_signature_creates_nothing()
    {
        await AddTemplateAsync("forged", "github acme/forged");
        var body = PullRequest("acme/forged", 1, HeadA);

        var response = await _server.CreateClient().SendAsync(GitHub("pull_request", body, signature: "sha256=" + Hmac("guess", System.Text.Encoding.UTF8.GetBytes(body))));

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Empty(await PullRequestJobsetsAsync("forged"));
    }

    [Theory]
    [InlineData("github", "acme/polled-github", "/github/repos/acme/polled-github/pulls?state=open&per_page=100")]
    [InlineData("gitea", "acme/polled-gitea", "/gitea/repos/acme/polled-gitea/pulls?state=open&limit=50")]
    [InlineData("gitlab", "group/sub/polled", "/gitlab/projects/group%2Fsub%2Fpolled/merge_requests?state=opened&per_page=100")]
    public async Task The_poll_lists_open_pull_requests_page_by_page_and_disables_the_closed_ones(string forge, string repository, string firstCall)
    {
        var project = "poll" + forge;
        await AddTemplateAsync(project, $"{forge} {repository}");
        _forge.Open[repository] = [(1, HeadA), (2, HeadA), (3, HeadB)];
        var poller = ActivatorUtilities.CreateInstance<PullRequestPoller>(_server.Services);
        var callsBefore = _forge.Calls.Count;

        await poller.PollOnceAsync(CancellationToken.None);

        var calls = _forge.Calls.Skip(callsBefore).Where(c => c.StartsWith(firstCall.Split('?')[0], StringComparison.Ordinal)).ToList();
        Assert.Equal(2, calls.Count);
        Assert.Equal(firstCall, calls[0]);
        Assert.EndsWith("&page=2", calls[1], StringComparison.Ordinal);
        Assert.Empty(_forge.Problems);
        Assert.Equal([(1, (short)1), (2, 1), (3, 1)], (await PullRequestJobsetsAsync(project)).Select(j => (j.Number, j.Enabled)));

        _forge.Open[repository] = [(2, HeadB)];
        await ClearTriggersAsync(project);
        await poller.PollOnceAsync(CancellationToken.None);

        var after = await PullRequestJobsetsAsync(project);
        Assert.Equal([(1, (short)0, false), (2, 1, true), (3, 0, false)], after.Select(j => (j.Number, j.Enabled, j.Triggered)));
        Assert.Empty(_forge.Problems);
    }

    [Fact]
    public async Task A_forge_that_fails_leaves_the_pull_request_jobsets_as_they_are()
    {
        await AddTemplateAsync("failing", "github acme/failing");
        Assert.Single(await SendAsync(GitHub("pull_request", PullRequest("acme/failing", 4, HeadA))));
        // The fake forge answers 404 for a repository it does not know.
        _forge.Open.TryRemove("acme/failing", out _);

        await ActivatorUtilities.CreateInstance<PullRequestPoller>(_server.Services).PollOnceAsync(CancellationToken.None);

        Assert.Equal((short)1, Assert.Single(await PullRequestJobsetsAsync("failing")).Enabled);
    }
}
