using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace Hydra.Web.Tests.Notifications;

/// <summary>/admin/notifications on a farm of its own: the empty state says what to do; the project and sink filters narrow the list.</summary>
public sealed class OutboxFilterTests(HydraWebFactory factory) : IClassFixture<HydraWebFactory>
{
    [Fact]
    public async Task The_outbox_says_where_sinks_are_added_and_filters_by_project_and_sink()
    {
        var admin = await FormPosts.ClientAsync(factory, "filter-admin", "admin");
        var empty = await admin.GetStringAsync("/admin/notifications");
        Assert.Contains("No notification sinks are configured", empty);
        Assert.Contains("/project/&lt;name&gt;/notifications", empty);

        await factory.WithDbAsync(async db =>
        {
            await Seed.JobsetAsync(db, "alpha", "main");
            await Seed.JobsetAsync(db, "beta", "main");
        });
        var alphaSink = await FailedDeliveryAsync("alpha", "alpha refused");
        var betaSink = await FailedDeliveryAsync("beta", "beta refused");
        var secondBetaSink = await FailedDeliveryAsync("beta", "beta gone");

        var all = await admin.GetStringAsync("/admin/notifications");
        Assert.Contains("alpha refused", all);
        Assert.Contains("beta refused", all);
        var alpha = await admin.GetStringAsync("/admin/notifications?filter=failed&project=alpha");
        Assert.Contains("alpha refused", alpha);
        Assert.DoesNotContain("beta refused", alpha);
        Assert.Contains("value=\"alpha\"", alpha);
        var sink = await admin.GetStringAsync($"/admin/notifications?filter=failed&project=beta&sink={secondBetaSink}");
        Assert.Contains("beta gone", sink);
        Assert.DoesNotContain("beta refused", sink);
        Assert.Contains($"href=\"/admin/notifications?filter=problems&amp;project=beta&amp;sink={betaSink}\"", await admin.GetStringAsync("/admin/notifications?project=beta"));

        var none = await admin.GetStringAsync($"/admin/notifications?filter=delivered&sink={alphaSink}");
        Assert.Contains($"No delivered deliveries of sink {alphaSink}. Clear the filters", none);
    }

    /// <summary>A webhook sink of <paramref name="project"/> whose one delivery failed with <paramref name="error"/>; returns the sink's id.</summary>
    private async Task<long> FailedDeliveryAsync(string project, string error)
    {
        await using var command = factory.Services.GetRequiredService<NpgsqlDataSource>().CreateCommand($$"""
            WITH sink AS (
                INSERT INTO notification_sinks (project_id, kind, events, settings, created_at)
                SELECT id, 'webhook', '{build_finished}', '{"url": "http://127.0.0.1:1/"}', now() FROM projects WHERE name = '{{project}}'
                RETURNING id, project_id
            ), event AS (
                INSERT INTO notification_events (kind, project_id, jobset_id, job, build_status, fanned_out)
                SELECT 'build_finished', s.project_id, j.id, 'job', 1, true FROM sink s JOIN jobsets j ON j.project_id = s.project_id RETURNING id
            ), delivery AS (
                INSERT INTO notification_deliveries (event_id, sink_id, state, attempts, next_attempt_at, last_attempt_at, last_error, created_at)
                SELECT event.id, sink.id, 2, 10, now(), now(), '{{error}}', now() FROM event, sink
            )
            SELECT id FROM sink
            """);
        return (long)(await command.ExecuteScalarAsync())!;
    }
}
