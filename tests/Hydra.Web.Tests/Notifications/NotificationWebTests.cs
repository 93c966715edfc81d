using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace Hydra.Web.Tests.Notifications;

/// <summary>/admin/notifications (page, JSON, retry), a project's sinks API, and RunCommand output on the build page.</summary>
public sealed class NotificationWebTests(HydraWebFactory factory) : IClassFixture<HydraWebFactory>
{
    [Fact]
    public async Task The_outbox_page_is_for_admins_and_its_retry_makes_a_failed_delivery_due()
    {
        var (delivery, build) = await SeedFailedDeliveryAsync("outbox");
        var visitor = factory.CreateClient(new() { AllowAutoRedirect = false });
        Assert.Equal(HttpStatusCode.Redirect, (await visitor.GetAsync("/admin/notifications")).StatusCode);
        var user = await FormPosts.ClientAsync(factory, "outbox-user");
        Assert.Equal(HttpStatusCode.Forbidden, (await user.GetAsync("/admin/notifications")).StatusCode);

        var admin = await FormPosts.ClientAsync(factory, "outbox-admin", "admin");
        var page = await admin.GetStringAsync("/admin/notifications");
        Assert.Contains("connection refused by test", page);
        Assert.Contains($"href=\"/build/{build}\"", page);
        Assert.Contains($"action=\"/admin/notifications/{delivery}/retry\"", page);

        var json = await factory.JsonClient().GetAsync("/admin/notifications");
        Assert.Equal(HttpStatusCode.Forbidden, json.StatusCode);
        admin.DefaultRequestHeaders.Add("Accept", "application/json");
        using var listed = JsonDocument.Parse(await admin.GetStringAsync("/admin/notifications?filter=failed"));
        var row = listed.RootElement.GetProperty("deliveries").EnumerateArray().Single(d => d.GetProperty("id").GetInt64() == delivery);
        Assert.Equal("failed", row.GetProperty("state").GetString());
        Assert.Equal("webhook", row.GetProperty("sink").GetProperty("kind").GetString());
        admin.DefaultRequestHeaders.Remove("Accept");

        var retry = await admin.PostAsync($"/admin/notifications/{delivery}/retry", FormPosts.Form(FormPosts.Token(page)));
        Assert.Equal(HttpStatusCode.Redirect, retry.StatusCode);
        Assert.Equal((short)0, await ScalarAsync<short>($"SELECT state FROM notification_deliveries WHERE id = {delivery}"));
        var refused = await user.PostAsync($"/admin/notifications/{delivery}/retry", FormPosts.Form(FormPosts.Token(page)));
        Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
    }

    [Fact]
    public async Task A_project_owner_configures_sinks_and_never_sees_their_secrets_again()
    {
        await factory.WithDbAsync(db => Seed.JobsetAsync(db, "sinks", "main"));
        var owner = await FormPosts.ClientAsync(factory, "alice");
        var created = await owner.PostAsJsonAsync("/project/sinks/notifications", new
        {
            jobset = "main", kind = "github", jobs = "tests.*",
            settings = new { token = "ghp_secret", repo = "octo/widgets", context = "ci/hydra" },
        });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var id = (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetInt64();

        var listed = (await owner.GetFromJsonAsync<JsonElement>("/project/sinks/notifications")).EnumerateArray().Single();
        Assert.Equal("main", listed.GetProperty("jobset").GetString());
        Assert.Equal(["build_queued", "build_started", "build_finished", "evaluation_completed"],
            listed.GetProperty("events").EnumerateArray().Select(e => e.GetString()));
        Assert.Equal("********", listed.GetProperty("settings").GetProperty("token").GetString());
        Assert.DoesNotContain("ghp_secret", await owner.GetStringAsync("/project/sinks/notifications"));

        // Sending the listing back changes what was changed and keeps the stored secret.
        var update = await owner.PutAsJsonAsync($"/project/sinks/notifications/{id}", new
        {
            jobset = "main", kind = "github", jobs = "*", events = new[] { "build_finished" },
            settings = new { token = "********", repo = "octo/gadgets" },
        });
        Assert.Equal(HttpStatusCode.OK, update.StatusCode);
        Assert.Equal("ghp_secret", await ScalarAsync<string>($"SELECT settings ->> 'token' FROM notification_sinks WHERE id = {id}"));
        Assert.Equal("octo/gadgets", await ScalarAsync<string>($"SELECT settings ->> 'repo' FROM notification_sinks WHERE id = {id}"));

        var stranger = await FormPosts.ClientAsync(factory, "mallory");
        Assert.Equal(HttpStatusCode.Forbidden, (await stranger.GetAsync("/project/sinks/notifications")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await stranger.DeleteAsync($"/project/sinks/notifications/{id}")).StatusCode);
        var bad = await owner.PostAsJsonAsync("/project/sinks/notifications", new { kind = "carrier-pigeon", settings = new { } });
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        var incomplete = await owner.PostAsJsonAsync("/project/sinks/notifications", new { kind = "webhook", settings = new { } });
        Assert.Contains("url", await incomplete.Content.ReadAsStringAsync());
        var noJobset = await owner.PostAsJsonAsync("/project/sinks/notifications", new { kind = "email", jobset = "nope", settings = new { } });
        Assert.Equal(HttpStatusCode.NotFound, noJobset.StatusCode);

        Assert.Equal(HttpStatusCode.OK, (await owner.DeleteAsync($"/project/sinks/notifications/{id}")).StatusCode);
        Assert.Empty((await owner.GetFromJsonAsync<JsonElement>("/project/sinks/notifications")).EnumerateArray());
    }

    [Fact]
    public async Task The_build_page_shows_what_RunCommand_ran()
    {
        long build = 0;
        await factory.WithDbAsync(async db =>
        {
            var jobset = await Seed.JobsetAsync(db, "deploys", "main");
            build = (await Seed.BuildAsync(db, jobset, null, "site", status: 0)).Id;
        });
        await ExecuteAsync($"""
            INSERT INTO run_command_logs (build_id, command, exit_code, output, started_at, finished_at)
            VALUES ({build}, './deploy.sh production', 0, 'uploading <site>\ndone', now(), now())
            """);

        var page = await factory.CreateClient().GetStringAsync($"/build/{build}");

        Assert.Contains("<h2>RunCommand</h2>", page);
        Assert.Contains("./deploy.sh production", page);
        Assert.Contains("uploading &lt;site&gt;", page);
        Assert.Contains("exit code 0", page);
    }

    /// <summary>A webhook sink of a new project, an event of a build, and a delivery that gave up.</summary>
    private async Task<(long Delivery, long Build)> SeedFailedDeliveryAsync(string project)
    {
        long build = 0;
        await factory.WithDbAsync(async db =>
        {
            var jobset = await Seed.JobsetAsync(db, project, "main");
            build = (await Seed.BuildAsync(db, jobset, null, "job", status: 1)).Id;
        });
        var delivery = await ScalarAsync<long>($$"""
            WITH sink AS (
                INSERT INTO notification_sinks (project_id, kind, events, settings, created_at)
                SELECT id, 'webhook', '{build_finished}', '{"url": "http://127.0.0.1:1/"}', now() FROM projects WHERE name = '{{project}}' RETURNING id, project_id
            ), event AS (
                INSERT INTO notification_events (kind, project_id, jobset_id, build_id, job, build_status, fanned_out)
                SELECT 'build_finished', b.project_id, j.id, {{build}}, 'job', 1, true FROM sink b JOIN jobsets j ON j.project_id = b.project_id RETURNING id
            )
            INSERT INTO notification_deliveries (event_id, sink_id, state, attempts, next_attempt_at, last_attempt_at, last_error, created_at)
            SELECT event.id, sink.id, 2, 10, now(), now(), 'connection refused by test', now() FROM event, sink RETURNING id
            """);
        return (delivery, build);
    }

    private async Task<T> ScalarAsync<T>(string sql)
    {
        await using var command = factory.Services.GetRequiredService<NpgsqlDataSource>().CreateCommand(sql);
        return (T)(await command.ExecuteScalarAsync())!;
    }

    private async Task ExecuteAsync(string sql)
    {
        await using var command = factory.Services.GetRequiredService<NpgsqlDataSource>().CreateCommand(sql);
        await command.ExecuteNonQueryAsync();
    }
}
