using System.Net;
using System.Text.Encodings.Web;
using Hydra.Core.Notifications;
using Hydra.Testing;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace Hydra.Web.Tests.Notifications;

/// <summary>The project's notification pages posted as a browser does: add, check, edit, test, disable, delete; who may.</summary>
public sealed class SinkFormTests(HydraWebFactory factory) : IClassFixture<HydraWebFactory>
{
    [Fact]
    public async Task A_bad_url_a_missing_secret_and_a_bad_job_pattern_come_back_with_messages_and_nothing_is_saved()
    {
        await factory.WithDbAsync(db => Seed.JobsetAsync(db, "checks", "main"));
        var owner = await BrowserAsync("alice");
        var form = await owner.GetStringAsync("/project/checks/notifications/add?kind=matrix");
        Assert.Contains("Add a Matrix sink to checks", form);

        var response = await owner.PostAsync("/project/checks/notifications/add", Form(FormPosts.Token(form),
            ("kind", "matrix"), ("jobset", "main"), ("enabled", "on"), ("events", "build_finished"), ("jobs", "tests.[ab]"),
            ("settings.homeserver", "matrix.example.org"), ("settings.room", "!room:example.org"), ("settings.token", "")));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var page = await response.Content.ReadAsStringAsync();
        Assert.Contains(HtmlEncoder.Default.Encode("Homeserver URL: 'matrix.example.org' is not an http:// or https:// URL with a host"), page);
        Assert.Contains("A Matrix sink needs its access token; it is stored and never shown again.", page);
        Assert.Contains(HtmlEncoder.Default.Encode(NotificationSinkFields.JobsMessage), page);
        // What was typed comes back, so only the wrong fields need retyping.
        Assert.Contains("value=\"!room:example.org\"", page);
        Assert.Equal(0L, await ScalarAsync<long>("SELECT count(*) FROM notification_sinks s JOIN projects p ON p.id = s.project_id WHERE p.name = 'checks'"));

        var noEvents = await owner.PostAsync("/project/checks/notifications/add", Form(FormPosts.Token(form),
            ("kind", "email"), ("jobs", "*"), ("settings.to", "ops@example.org, not-an-address")));
        var noEventsPage = await noEvents.Content.ReadAsStringAsync();
        Assert.Contains("Pick at least one event.", noEventsPage);
        Assert.Contains(HtmlEncoder.Default.Encode("'not-an-address' is not an email address"), noEventsPage);
    }

    [Fact]
    public async Task A_maintainer_adds_edits_tests_disables_and_deletes_a_webhook_sink_and_never_sees_its_secret()
    {
        await factory.WithDbAsync(db => Seed.JobsetAsync(db, "hooks", "main"));
        var owner = await BrowserAsync("alice");
        var list = await owner.GetStringAsync("/project/hooks/notifications");
        Assert.Contains("No notification sinks yet", list);
        Assert.Contains("href=\"/project/hooks/notifications/add?kind=webhook\"", list);
        var token = FormPosts.Token(list);

        var added = await owner.PostAsync("/project/hooks/notifications/add", Form(token,
            ("kind", "webhook"), ("name", "deploy bot"), ("jobset", ""), ("enabled", "on"), ("events", "build_finished"), ("events", "evaluation_failed"),
            ("jobs", "tests.*"), ("settings.url", "http://127.0.0.1:1/hook"), ("settings.secret", "s3cret-value")));
        Assert.Equal(HttpStatusCode.Redirect, added.StatusCode);
        Assert.Equal("/project/hooks/notifications", added.Headers.Location!.OriginalString);
        var id = await ScalarAsync<long>("SELECT id FROM notification_sinks s WHERE s.name = 'deploy bot'");
        Assert.Equal("s3cret-value", await ScalarAsync<string>($"SELECT settings ->> 'secret' FROM notification_sinks WHERE id = {id}"));
        Assert.Equal(["build_finished", "evaluation_failed"], await ScalarAsync<string[]>($"SELECT events FROM notification_sinks WHERE id = {id}"));

        list = await owner.GetStringAsync("/project/hooks/notifications");
        Assert.Contains("Signed webhook deploy bot", list);
        Assert.Contains("none yet", list);
        var edit = await owner.GetStringAsync($"/project/hooks/notifications/{id}/edit");
        Assert.Contains("value=\"http://127.0.0.1:1/hook\"", edit);
        Assert.Contains("Stored and never shown", edit);
        Assert.DoesNotContain("s3cret-value", list + edit);

        // A blank secret keeps the stored one; the other fields change.
        var saved = await owner.PostAsync($"/project/hooks/notifications/{id}/edit", Form(token,
            ("name", "deploy bot"), ("jobset", "main"), ("enabled", "on"), ("events", "build_finished"), ("jobs", "*"),
            ("settings.url", "https://hooks.example.org/hydra"), ("settings.secret", "")));
        Assert.Equal(HttpStatusCode.Redirect, saved.StatusCode);
        Assert.Equal("s3cret-value", await ScalarAsync<string>($"SELECT settings ->> 'secret' FROM notification_sinks WHERE id = {id}"));
        Assert.Equal("https://hooks.example.org/hydra", await ScalarAsync<string>($"SELECT settings ->> 'url' FROM notification_sinks WHERE id = {id}"));
        Assert.Equal("main", await ScalarAsync<string>($"SELECT j.name FROM notification_sinks s JOIN jobsets j ON j.id = s.jobset_id WHERE s.id = {id}"));

        // "Send test" queues a test event and its delivery through the outbox, for this sink only.
        var tested = await owner.PostAsync($"/project/hooks/notifications/{id}/test", Form(token));
        Assert.Equal($"/project/hooks/notifications?tested={id}", tested.Headers.Location!.OriginalString);
        var row = (await RowsAsync($"""
            SELECT e.kind, e.fanned_out, d.state, e.message FROM notification_deliveries d JOIN notification_events e ON e.id = d.event_id
            WHERE d.sink_id = {id}
            """)).Single();
        Assert.Equal([NotificationEventKinds.Test, true, (short)0], row[..3]);
        Assert.Contains("alice", (string)row[3]);
        list = await owner.GetStringAsync($"/project/hooks/notifications?tested={id}");
        Assert.Contains("A test event is queued for Signed webhook deploy bot", list);
        Assert.Contains("0 failed, 1 pending", list);

        // Removing the optional secret, then turning the sink off and deleting it.
        await owner.PostAsync($"/project/hooks/notifications/{id}/edit", Form(token,
            ("enabled", "on"), ("events", "build_finished"), ("jobs", "*"), ("settings.url", "https://hooks.example.org/hydra"), ("clear.secret", "on")));
        Assert.False(await ScalarAsync<bool>($"SELECT settings ? 'secret' FROM notification_sinks WHERE id = {id}"));
        Assert.Equal(HttpStatusCode.Redirect, (await owner.PostAsync($"/project/hooks/notifications/{id}/disable", Form(token))).StatusCode);
        Assert.False(await ScalarAsync<bool>($"SELECT enabled FROM notification_sinks WHERE id = {id}"));
        list = await owner.GetStringAsync("/project/hooks/notifications");
        Assert.Contains("disabled", list);
        Assert.Contains($"action=\"/project/hooks/notifications/{id}/enable\"", list);
        Assert.Equal(HttpStatusCode.Redirect, (await owner.PostAsync($"/project/hooks/notifications/{id}/delete", Form(token))).StatusCode);
        Assert.Equal(0L, await ScalarAsync<long>($"SELECT count(*) FROM notification_sinks WHERE id = {id}"));
    }

    [Fact]
    public async Task Only_those_who_administer_the_project_reach_its_notification_pages()
    {
        await factory.WithDbAsync(db => Seed.JobsetAsync(db, "guarded", "main"));
        var id = await ScalarAsync<long>("""
            INSERT INTO notification_sinks (project_id, kind, events, settings, created_at)
            SELECT id, 'slack', '{build_finished}', '{"url": "https://hooks.slack.example/x"}', now() FROM projects WHERE name = 'guarded' RETURNING id
            """);
        var visitor = factory.CreateClient(new() { AllowAutoRedirect = false });
        visitor.DefaultRequestHeaders.Add("Accept", "text/html");
        var redirect = await visitor.GetAsync("/project/guarded/notifications");
        Assert.Equal(HttpStatusCode.Redirect, redirect.StatusCode);
        Assert.StartsWith("/login", redirect.Headers.Location!.OriginalString);

        var stranger = await BrowserAsync("mallory");
        Assert.Equal(HttpStatusCode.Forbidden, (await stranger.GetAsync("/project/guarded/notifications")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await stranger.GetAsync($"/project/guarded/notifications/{id}/edit")).StatusCode);
        var token = FormPosts.Token(await stranger.GetStringAsync("/"));
        Assert.Equal(HttpStatusCode.Forbidden, (await stranger.PostAsync($"/project/guarded/notifications/{id}/test", Form(token))).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await stranger.PostAsync($"/project/guarded/notifications/{id}/delete", Form(token))).StatusCode);
        Assert.Equal(0L, await ScalarAsync<long>("SELECT count(*) FROM notification_events WHERE project_id = (SELECT id FROM projects WHERE name = 'guarded')"));

        var admin = await BrowserAsync("guard-admin", "admin");
        var page = await admin.GetStringAsync("/project/guarded/notifications");
        Assert.Contains($"href=\"/project/guarded/notifications/{id}/edit\"", page);
        Assert.Equal(HttpStatusCode.NotFound, (await admin.GetAsync("/project/guarded/notifications/999999/edit")).StatusCode);
    }

    /// <summary>A signed-in client that asks for pages as a browser does (scripts get JSON from the list's URL).</summary>
    private async Task<HttpClient> BrowserAsync(string user, params string[] roles)
    {
        var client = await FormPosts.ClientAsync(factory, user, roles);
        client.DefaultRequestHeaders.Add("Accept", "text/html");
        return client;
    }

    /// <summary>A form body; a name may repeat, as checkboxes do.</summary>
    private static FormUrlEncodedContent Form(string token, params (string Name, string Value)[] fields) =>
        new(fields.Select(f => KeyValuePair.Create(f.Name, f.Value)).Append(KeyValuePair.Create("__RequestVerificationToken", token)));

    private async Task<T> ScalarAsync<T>(string sql)
    {
        await using var command = factory.Services.GetRequiredService<NpgsqlDataSource>().CreateCommand(sql);
        return (T)(await command.ExecuteScalarAsync())!;
    }

    private Task<List<object[]>> RowsAsync(string sql) => factory.Services.GetRequiredService<NpgsqlDataSource>().RowsAsync(sql);
}
