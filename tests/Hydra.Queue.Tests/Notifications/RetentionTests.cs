using System.Text.Json.Nodes;
using Hydra.Core.Notifications;
using Hydra.Core.Protocol;
using Microsoft.Extensions.DependencyInjection;

namespace Hydra.Queue.Tests.Notifications;

/// <summary>
/// The outbox's retention on the manual clock: delivered rows go after <c>Delivered</c>, failed ones after <c>Failed</c>,
/// pending ones and the events they belong to stay; the delivery loop prunes once per interval.
/// </summary>
public sealed class RetentionTests
{
    [Fact]
    public async Task Old_delivered_rows_go_first_failed_ones_later_and_pending_ones_stay()
    {
        await using var receiver = await FakeReceiver.StartAsync();
        receiver.Reply = (request, _) => (request.Path switch { "/bad" => 400, "/slow" => 503, _ => 200 }, null);
        // Batches of two, so five delivered rows take several statements.
        await using var harness = await NotificationHarness.CreateAsync(options => options.Retention.BatchSize = 2);
        await harness.AddSinkAsync(NotificationSinkKinds.Webhook, new JsonObject { ["url"] = receiver.Url + "/ok" }, ["build_finished"]);
        await harness.AddSinkAsync(NotificationSinkKinds.Webhook, new JsonObject { ["url"] = receiver.Url + "/bad" }, ["build_finished"], jobs: "job0");
        await harness.AddSinkAsync(NotificationSinkKinds.Webhook, new JsonObject { ["url"] = receiver.Url + "/slow" }, ["build_finished"], jobs: "job1");
        for (var i = 0; i < 5; i++)
        {
            await harness.AddBuildAsync($"job{i}");
            await harness.BuildNextAsync(StepOutcome.Succeeded);
        }
        await harness.DeliverAsync();
        // The triggers stamp events with the database's clock; put them on the test's clock like the deliveries.
        await harness.Queue.ExecuteAsync($"UPDATE notification_events SET created_at = '{harness.Queue.Clock.GetUtcNow():O}'");
        Assert.Equal(new long[] { 5, 1, 1 }, await StatesAsync(harness));
        var events = await harness.ScalarAsync<long>("SELECT count(*) FROM notification_events");
        var pruner = Pruner(harness);

        // Within every retention nothing goes.
        harness.Queue.Clock.Advance(TimeSpan.FromDays(29));
        Assert.Equal(new NotificationPruner.Pruned(0, 0, 0), await pruner.PruneAsync(CancellationToken.None));

        // After 30 days the delivered rows go, and the events left without deliveries (queued, started, delivered ones).
        harness.Queue.Clock.Advance(TimeSpan.FromDays(2));
        var pruned = await pruner.PruneAsync(CancellationToken.None);
        Assert.Equal(5, pruned.Delivered);
        Assert.Equal(0, pruned.Failed);
        Assert.Equal(new long[] { 0, 1, 1 }, await StatesAsync(harness));
        // What stays: the events of job0 (failed delivery) and job1 (pending delivery).
        Assert.Equal(["job0", "job1"], (await harness.RowsAsync("SELECT job FROM notification_events ORDER BY job")).Select(r => (string)r[0]));
        Assert.Equal(events - 2, pruned.Events);

        // After 90 days from its last attempt the failed one goes with its event; the pending one stays however old.
        harness.Queue.Clock.Advance(TimeSpan.FromDays(60));
        pruned = await pruner.PruneAsync(CancellationToken.None);
        Assert.Equal(new NotificationPruner.Pruned(0, 1, 1), pruned);
        Assert.Equal(new long[] { 0, 0, 1 }, await StatesAsync(harness));
        Assert.Equal("job1", await harness.ScalarAsync<string>("SELECT job FROM notification_events"));
    }

    [Fact]
    public async Task The_loop_prunes_once_per_interval_and_a_zero_age_keeps_rows()
    {
        await using var receiver = await FakeReceiver.StartAsync();
        await using var harness = await NotificationHarness.CreateAsync(options =>
        {
            options.Retention.Interval = TimeSpan.FromHours(1);
            options.Retention.Failed = TimeSpan.Zero;
        });
        await harness.AddSinkAsync(NotificationSinkKinds.Webhook, new JsonObject { ["url"] = receiver.Url }, ["build_finished"]);
        await harness.AddBuildAsync("first");
        await harness.BuildNextAsync(StepOutcome.Succeeded);
        await harness.DeliverAsync();
        await harness.Queue.ExecuteAsync("UPDATE notification_deliveries SET state = 2, delivered_at = NULL");
        await harness.AddBuildAsync("second");
        await harness.BuildNextAsync(StepOutcome.Succeeded);
        await harness.DeliverAsync();
        var pruner = Pruner(harness);

        // The first round of a process prunes (nothing is old yet).
        Assert.Equal(new NotificationPruner.Pruned(0, 0, 0), await pruner.PruneIfDueAsync(CancellationToken.None));
        // Half an hour later both deliveries are months old, but the next pruning is not due before the hour is up.
        harness.Queue.Clock.Advance(TimeSpan.FromMinutes(30));
        await harness.Queue.ExecuteAsync(
            "UPDATE notification_deliveries SET delivered_at = delivered_at - interval '31 days', last_attempt_at = last_attempt_at - interval '400 days'");
        Assert.Null(await pruner.PruneIfDueAsync(CancellationToken.None));
        Assert.Equal(2L, await harness.ScalarAsync<long>("SELECT count(*) FROM notification_deliveries"));

        harness.Queue.Clock.Advance(TimeSpan.FromMinutes(30));
        var pruned = await pruner.PruneIfDueAsync(CancellationToken.None);
        // The delivered one goes; Failed = 0 keeps the failed one for ever.
        Assert.Equal(1, pruned!.Delivered);
        Assert.Equal(0, pruned.Failed);
        Assert.Equal((short)2, await harness.ScalarAsync<short>("SELECT state FROM notification_deliveries"));
    }

    private static NotificationPruner Pruner(NotificationHarness harness) => harness.Services.GetRequiredService<NotificationPruner>();

    /// <summary>Deliveries by state: delivered, failed, pending.</summary>
    private static async Task<long[]> StatesAsync(NotificationHarness harness) =>
    [
        await harness.ScalarAsync<long>("SELECT count(*) FROM notification_deliveries WHERE state = 1"),
        await harness.ScalarAsync<long>("SELECT count(*) FROM notification_deliveries WHERE state = 2"),
        await harness.ScalarAsync<long>("SELECT count(*) FROM notification_deliveries WHERE state = 0"),
    ];
}
