using System.Net;
using System.Text.RegularExpressions;
using Hydra.Queue.Workers;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace Hydra.Web.Tests.Admin;

public sealed partial class AdminWorkerTests(HydraWebFactory factory) : IClassFixture<HydraWebFactory>
{
    [Fact]
    public async Task An_admin_creates_a_worker_token_shown_once_that_authenticates_the_worker()
    {
        var admin = await FormPosts.ClientAsync(factory, "root", "admin");
        var empty = await admin.GetStringAsync("/admin/workers");
        Assert.Contains("No workers yet.", empty, StringComparison.Ordinal);

        var created = await admin.PostAsync("/admin/workers", AdminUserTests.Form(FormPosts.Token(empty), ("name", "builder-1")));

        Assert.Equal(HttpStatusCode.OK, created.StatusCode);
        Assert.True(created.Headers.CacheControl?.NoStore, "a page showing a token must not be stored");
        var token = TokenPattern().Match(await created.Content.ReadAsStringAsync()).Value;
        Assert.NotEmpty(token);
        var worker = await Tokens().AuthenticateAsync(token, CancellationToken.None);
        Assert.Equal("builder-1", worker?.Name);

        var list = await admin.GetStringAsync("/admin/workers");
        Assert.Contains("builder-1", list, StringComparison.Ordinal);
        Assert.DoesNotContain(token, list, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Rotating_replaces_the_token_and_a_taken_or_bad_name_is_refused()
    {
        var first = await Tokens().CreateOrRotateAsync("rotor", CancellationToken.None);
        var admin = await FormPosts.ClientAsync(factory, "root2", "admin");
        var token = FormPosts.Token(await admin.GetStringAsync("/admin/workers"));

        var rotated = await admin.PostAsync("/admin/workers/rotor/rotate", AdminUserTests.Form(token));
        Assert.Equal(HttpStatusCode.OK, rotated.StatusCode);
        var second = TokenPattern().Match(await rotated.Content.ReadAsStringAsync()).Value;
        Assert.NotEqual(first, second);
        Assert.Null(await Tokens().AuthenticateAsync(first, CancellationToken.None));
        Assert.Equal("rotor", (await Tokens().AuthenticateAsync(second, CancellationToken.None))?.Name);

        var taken = await admin.PostAsync("/admin/workers", AdminUserTests.Form(token, ("name", "rotor")));
        Assert.Equal(HttpStatusCode.Conflict, taken.StatusCode);
        Assert.Contains("already exists", await taken.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.BadRequest, (await admin.PostAsync("/admin/workers", AdminUserTests.Form(token, ("name", "bad name")))).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await admin.PostAsync("/admin/workers/ghost/rotate", AdminUserTests.Form(token))).StatusCode);
    }

    [Fact]
    public async Task Disable_enable_and_clearing_a_quarantine_go_through_the_queues_worker_directory()
    {
        await Tokens().CreateOrRotateAsync("a-sick", CancellationToken.None);
        await using (var command = factory.Services.GetRequiredService<NpgsqlDataSource>().CreateCommand(
            "UPDATE workers SET quarantine_level = 2, quarantined_until = now() + interval '1 hour', failed_steps = '{1,2}', last_failure = 'disk full' WHERE name = 'a-sick'"))
        {
            await command.ExecuteNonQueryAsync();
        }
        var admin = await FormPosts.ClientAsync(factory, "root3", "admin");
        var page = await admin.GetStringAsync("/admin/workers");
        Assert.Contains("quarantined", page, StringComparison.Ordinal);
        Assert.Contains("disk full", page, StringComparison.Ordinal);
        Assert.Contains("Clear quarantine", page, StringComparison.Ordinal);
        var token = FormPosts.Token(page);

        Assert.Equal(HttpStatusCode.Redirect, (await admin.PostAsync("/admin/workers/a-sick/enable", AdminUserTests.Form(token))).StatusCode);
        var cleared = Assert.Single(await Directory().ListAsync(CancellationToken.None), w => w.Name == "a-sick");
        Assert.Null(cleared.QuarantinedUntil);
        Assert.Equal(0, cleared.RecentFailures);

        Assert.Equal(HttpStatusCode.Redirect, (await admin.PostAsync("/admin/workers/a-sick/disable", AdminUserTests.Form(token))).StatusCode);
        Assert.False(Assert.Single(await Directory().ListAsync(CancellationToken.None), w => w.Name == "a-sick").Enabled);
        Assert.Contains(">Enable<", await admin.GetStringAsync("/admin/workers"), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.NotFound, (await admin.PostAsync("/admin/workers/ghost/disable", AdminUserTests.Form(token))).StatusCode);
    }

    [Fact]
    public async Task The_worker_list_pages_by_name()
    {
        for (var i = 0; i < 52; i++)
        {
            await Tokens().CreateOrRotateAsync($"node{i:D2}", CancellationToken.None);
        }
        var admin = await FormPosts.ClientAsync(factory, "root4", "admin");
        var first = await admin.GetStringAsync("/admin/workers");
        var next = Regex.Match(first, "href=\"/admin/workers\\?after=([^\"]+)\"");
        Assert.True(next.Success, "the first page links to the next");
        var second = await admin.GetStringAsync($"/admin/workers?after={next.Groups[1].Value}");

        // Other tests of this class add workers too: the two pages hold 50 rows, then the rest, in name order, none twice.
        var firstRows = WorkerRows(first);
        var secondRows = WorkerRows(second);
        Assert.Equal(50, firstRows.Count);
        Assert.Equal(firstRows.Order(StringComparer.Ordinal), firstRows);
        Assert.True(string.CompareOrdinal(firstRows[^1], secondRows[0]) < 0);
        Assert.Equal(52, firstRows.Concat(secondRows).Count(name => name.StartsWith("node", StringComparison.Ordinal)));
    }

    private static List<string> WorkerRows(string html) =>
        [.. Regex.Matches(html, "<td><strong>([^<]+)</strong></td>").Select(m => m.Groups[1].Value)];

    private WorkerTokens Tokens() => factory.Services.GetRequiredService<WorkerTokens>();

    private WorkerDirectory Directory() => factory.Services.GetRequiredService<WorkerDirectory>();

    [GeneratedRegex("hw_[0-9a-f]{48}")]
    private static partial Regex TokenPattern();
}
