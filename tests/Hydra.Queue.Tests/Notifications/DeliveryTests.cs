using System.Text;
using System.Text.Json.Nodes;
using Hydra.Core;
using Hydra.Core.Notifications;
using Hydra.Core.Notifications.Sinks;
using Hydra.Core.Protocol;

namespace Hydra.Queue.Tests.Notifications;

/// <summary>At-least-once delivery: retries with backoff, leases that survive a crash, fencing, the admin's retry.</summary>
public sealed class DeliveryTests
{
    [Fact]
    public async Task A_failing_receiver_is_retried_with_growing_backoff_and_succeeds_later()
    {
        await using var receiver = await FakeReceiver.StartAsync();
        receiver.Reply = (_, n) => (n <= 3 ? 503 : 200, null);
        await using var harness = await NotificationHarness.CreateAsync();
        await harness.AddSinkAsync(NotificationSinkKinds.Webhook, new JsonObject { ["url"] = receiver.Url + "/hook", ["secret"] = "s3cret" }, ["build_finished"]);
        await harness.AddBuildAsync("flaky");
        await harness.BuildNextAsync(StepOutcome.Succeeded);

        var waits = new List<TimeSpan>();
        for (var attempt = 1; attempt <= 3; attempt++)
        {
            Assert.Equal(1, await harness.DeliverAsync());
            Assert.Equal(attempt, receiver.Requests.Count);
            var (next, error) = await NextAttemptAsync(harness);
            Assert.StartsWith("HTTP 503", error);
            waits.Add(next - harness.Queue.Clock.GetUtcNow());
            // Not due before its backoff: a round now sends nothing.
            Assert.Equal(0, await harness.DeliverAsync());
            harness.Queue.Clock.Advance(next - harness.Queue.Clock.GetUtcNow());
        }
        Assert.Equal(1, await harness.DeliverAsync());

        Assert.Equal(4, receiver.Requests.Count);
        // 30 s, 60 s, 120 s, each with jitter in [0.8, 1.2).
        Assert.InRange(waits[0].TotalSeconds, 24, 36);
        Assert.InRange(waits[1].TotalSeconds, 48, 72);
        Assert.InRange(waits[2].TotalSeconds, 96, 144);
        var row = (await harness.RowsAsync("SELECT state, attempts, delivered_at IS NOT NULL FROM notification_deliveries")).Single();
        Assert.Equal([(short)1, 4, true], row);
        // Every attempt sent the same delivery id and a valid signature of its body.
        Assert.Single(receiver.Requests.Select(r => r.Header("X-Hydra-Delivery")).Distinct());
        Assert.All(receiver.Requests, r => Assert.Equal(SignedWebhookSink.Sign("s3cret", Encoding.UTF8.GetBytes(r.Body)), r.Header(SignedWebhookSink.SignatureHeader)));
        Assert.Equal("buildFinished", receiver.Requests.First().Json.GetProperty("event").GetString());
    }

    [Fact]
    public async Task A_crash_between_the_state_change_and_delivery_loses_no_event()
    {
        await using var receiver = await FakeReceiver.StartAsync();
        await using var harness = await NotificationHarness.CreateAsync();
        await harness.AddSinkAsync(NotificationSinkKinds.Webhook, new JsonObject { ["url"] = receiver.Url }, ["build_finished"]);
        var (_, build) = await harness.AddBuildAsync("survivor");
        await harness.BuildNextAsync(StepOutcome.Succeeded);

        // The server dies after the build finished, before any delivery: its services are thrown away.
        await harness.RestartServicesAsync();
        // The next process fans out and takes the delivery, then dies while sending (never records a result).
        await harness.Outbox.FanOutAsync(100, CancellationToken.None);
        var taken = await harness.Outbox.TakeDueAsync(10, CancellationToken.None);
        Assert.Single(taken);
        await harness.RestartServicesAsync();

        // While the dead worker's lease lasts nobody sends it twice; after the lease the next process does.
        Assert.Equal(0, await harness.DeliverAsync());
        harness.Queue.Clock.Advance(harness.Options.Lease + TimeSpan.FromSeconds(1));
        Assert.Equal(1, await harness.DeliverAsync());

        var request = Assert.Single(receiver.Requests);
        Assert.Equal(build, request.Json.GetProperty("build").GetInt64());
        Assert.Equal([(short)1, 2], (await harness.RowsAsync("SELECT state, attempts FROM notification_deliveries")).Single());
        // The late worker's result cannot overwrite the newer attempt's.
        Assert.False(await harness.Outbox.RecordAsync(taken[0], DeliveryResult.Retry("late"), CancellationToken.None));
        Assert.Equal((short)1, await harness.ScalarAsync<short>("SELECT state FROM notification_deliveries"));
    }

    [Fact]
    public async Task A_delivery_out_of_attempts_fails_and_an_admin_retry_sends_it_again()
    {
        await using var receiver = await FakeReceiver.StartAsync();
        var accept = false;
        receiver.Reply = (_, _) => (accept ? 204 : 500, null);
        await using var harness = await NotificationHarness.CreateAsync(o => o.MaxAttempts = 2);
        await harness.AddSinkAsync(NotificationSinkKinds.Webhook, new JsonObject { ["url"] = receiver.Url }, ["build_finished"]);
        await harness.AddBuildAsync("doomed");
        await harness.BuildNextAsync(StepOutcome.Failed);

        await harness.DeliverAsync();
        harness.Queue.Clock.Advance(TimeSpan.FromMinutes(5));
        await harness.DeliverAsync();

        var failed = Assert.Single(await harness.Deliveries.ListAsync("failed", null, null, null, 10, CancellationToken.None));
        Assert.Equal(2, failed.Attempts);
        Assert.StartsWith("HTTP 500", failed.LastError);
        harness.Queue.Clock.Advance(TimeSpan.FromHours(2));
        Assert.Equal(0, await harness.DeliverAsync());

        accept = true;
        Assert.True(await harness.Deliveries.RetryAsync(failed.Id, CancellationToken.None));
        Assert.Equal(1, await harness.DeliverAsync());

        Assert.Equal(3, receiver.Requests.Count);
        Assert.Equal((short)1, await harness.ScalarAsync<short>("SELECT state FROM notification_deliveries"));
        Assert.False(await harness.Deliveries.RetryAsync(failed.Id, CancellationToken.None));
    }

    [Fact]
    public async Task A_refused_request_fails_at_once_without_retries()
    {
        await using var receiver = await FakeReceiver.StartAsync();
        receiver.Reply = (_, _) => (404, null);
        await using var harness = await NotificationHarness.CreateAsync();
        await harness.AddSinkAsync(NotificationSinkKinds.Webhook, new JsonObject { ["url"] = receiver.Url }, ["build_queued"]);
        await harness.AddBuildAsync("nowhere");

        await harness.DeliverAsync();

        var row = Assert.Single(await harness.Deliveries.ListAsync("failed", null, null, null, 10, CancellationToken.None));
        Assert.Equal(1, row.Attempts);
        Assert.Equal("build_queued", row.EventKind);
    }

    [Fact]
    public async Task A_malformed_url_fails_the_delivery_instead_of_the_round()
    {
        await using var receiver = await FakeReceiver.StartAsync();
        await using var harness = await NotificationHarness.CreateAsync();
        var malformed = await harness.AddSinkAsync(NotificationSinkKinds.Webhook, new JsonObject { ["url"] = receiver.Url + "/x" }, ["build_queued"]);
        await harness.AddSinkAsync(NotificationSinkKinds.Webhook, new JsonObject { ["url"] = receiver.Url }, ["build_queued"]);
        // The API and the page refuse such a URL now; one stored before they did (or written into the database) still must not stop the round.
        Assert.NotNull(NotificationSinkStore.Validate(new(null, NotificationSinkKinds.Webhook, "", true, null, "*", new JsonObject { ["url"] = "not a url" })));
        await harness.Queue.ExecuteAsync($$"""UPDATE notification_sinks SET settings = '{"url": "not a url"}' WHERE id = {{malformed}}""");
        await harness.AddBuildAsync("mixed");

        Assert.Equal(2, await harness.DeliverAsync());

        Assert.Single(receiver.Requests);
        var failed = Assert.Single(await harness.Deliveries.ListAsync("failed", null, null, null, 10, CancellationToken.None));
        Assert.StartsWith("Bad sink settings:", failed.LastError);
    }

    private static async Task<(DateTimeOffset Next, string Error)> NextAttemptAsync(NotificationHarness harness)
    {
        var row = (await harness.RowsAsync("SELECT next_attempt_at, last_error FROM notification_deliveries")).Single();
        return (new DateTimeOffset((DateTime)row[0]), (string)row[1]);
    }
}
