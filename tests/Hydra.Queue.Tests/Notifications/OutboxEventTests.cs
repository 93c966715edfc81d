using System.Text.Json.Nodes;
using Hydra.Core;
using Hydra.Core.Notifications;
using Hydra.Core.Protocol;

namespace Hydra.Queue.Tests.Notifications;

/// <summary>Events are written by the state changes themselves, in their transactions, through the queue's real paths.</summary>
public sealed class OutboxEventTests
{
    [Fact]
    public async Task A_jobset_without_sinks_writes_no_events()
    {
        await using var harness = await NotificationHarness.CreateAsync();
        await harness.AddBuildAsync("quiet");
        await harness.BuildNextAsync(StepOutcome.Succeeded);

        Assert.Equal(0L, await harness.ScalarAsync<long>("SELECT count(*) FROM notification_events"));
    }

    [Fact]
    public async Task Queue_claim_and_success_write_queued_started_and_finished_events()
    {
        await using var harness = await NotificationHarness.CreateAsync();
        await harness.AddSinkAsync(NotificationSinkKinds.Webhook, new JsonObject { ["url"] = "http://127.0.0.1:1/" });
        var (_, build) = await harness.AddBuildAsync("hello");

        await harness.BuildNextAsync(StepOutcome.Succeeded);

        var events = await harness.RowsAsync($"SELECT kind, build_status, job FROM notification_events WHERE build_id = {build} ORDER BY id");
        Assert.Equal(
            [["build_queued", DBNull.Value, "hello"], ["build_started", DBNull.Value, "hello"], ["build_finished", BuildStatus.Succeeded, "hello"]],
            events.Select(e => e.ToArray()));
    }

    [Fact]
    public async Task A_failure_writes_finished_events_for_the_build_and_its_dependents()
    {
        await using var harness = await NotificationHarness.CreateAsync();
        await harness.AddSinkAsync(NotificationSinkKinds.Webhook, new JsonObject { ["url"] = "http://127.0.0.1:1/" }, ["build_finished"]);
        var (step, broken) = await harness.AddBuildAsync("broken");
        var app = await harness.Queue.AddStepAsync("app", harness.System, step);
        var appBuild = await harness.Queue.AddBuildAsync(app, step);

        await harness.BuildNextAsync(StepOutcome.Failed);

        var finished = await harness.RowsAsync("SELECT build_id, build_status FROM notification_events WHERE kind = 'build_finished' ORDER BY build_id");
        Assert.Equal([[broken, BuildStatus.Failed], [appBuild, BuildStatus.DependencyFailed]], finished.Select(e => e.ToArray()));
    }

    [Fact]
    public async Task A_rolled_back_state_change_leaves_no_event_and_a_committed_one_does()
    {
        await using var harness = await NotificationHarness.CreateAsync();
        await harness.AddSinkAsync(NotificationSinkKinds.Webhook, new JsonObject { ["url"] = "http://127.0.0.1:1/" });
        var (_, build) = await harness.AddBuildAsync("tx");
        var finish = $"UPDATE builds SET finished = true, build_status = 0, start_time = now(), stop_time = now() WHERE id = {build}";

        await using (var connection = await harness.Queue.DataSource.OpenConnectionAsync())
        {
            await using var transaction = await connection.BeginTransactionAsync();
            await using var command = new Npgsql.NpgsqlCommand(finish, connection, transaction);
            await command.ExecuteNonQueryAsync();
            // Inside the transaction the event is there; the rollback takes it away with the change.
            await using var count = new Npgsql.NpgsqlCommand("SELECT count(*) FROM notification_events WHERE kind = 'build_finished'", connection, transaction);
            Assert.Equal(1L, (long)(await count.ExecuteScalarAsync())!);
            await transaction.RollbackAsync();
        }
        Assert.Equal(0L, await harness.ScalarAsync<long>("SELECT count(*) FROM notification_events WHERE kind = 'build_finished'"));

        await harness.Queue.ExecuteAsync(finish);
        Assert.Equal(1L, await harness.ScalarAsync<long>("SELECT count(*) FROM notification_events WHERE kind = 'build_finished'"));
    }

    [Fact]
    public async Task A_group_committed_batch_of_successes_writes_one_event_per_build()
    {
        await using var harness = await NotificationHarness.CreateAsync();
        await harness.AddSinkAsync(NotificationSinkKinds.Webhook, new JsonObject { ["url"] = "http://127.0.0.1:1/" }, ["build_finished"]);
        var builds = new List<long>();
        for (var i = 0; i < 3; i++)
        {
            builds.Add((await harness.AddBuildAsync($"batched{i}")).Build);
        }
        var worker = await harness.Queue.AddWorkerAsync("batch");
        var claims = new List<ClaimResponse>();
        while (await harness.Queue.Claimer.TryClaimAsync(worker, "w", new ClaimRequest([harness.System], [], 0), CancellationToken.None) is { } claim)
        {
            claims.Add(claim);
        }
        var reports = new Hydra.Queue.Completion.SuccessReports(harness.Queue.DataSource, harness.Queue.Notifier, harness.Queue.Clock);

        var applied = await reports.ApplyBatchAsync(claims.Select(c => new Hydra.Queue.Completion.SuccessReport(c.AttemptId, worker, 0, null, false, [], [], [], null)).ToList());

        Assert.All(applied, a => Assert.NotNull(a));
        var finished = await harness.RowsAsync("SELECT build_id FROM notification_events WHERE kind = 'build_finished' ORDER BY build_id");
        Assert.Equal(builds, finished.Select(r => (long)r[0]));
    }

    [Fact]
    public async Task Evaluation_start_failure_and_new_evaluation_write_events()
    {
        await using var harness = await NotificationHarness.CreateAsync();
        await harness.AddSinkAsync(NotificationSinkKinds.Webhook, new JsonObject { ["url"] = "http://127.0.0.1:1/" });

        await harness.Queue.ExecuteAsync("UPDATE jobsets SET eval_started_at = now() WHERE name = 'j'");
        await harness.Queue.ExecuteAsync("UPDATE jobsets SET eval_phase = 'evaluating' WHERE name = 'j'");
        await harness.Queue.ExecuteAsync("UPDATE jobsets SET eval_started_at = NULL, error_message = 'syntax error', error_time = now() WHERE name = 'j'");
        var evaluation = await harness.AddEvaluationAsync("https://github.com/o/r.git", "abc");

        var events = await harness.RowsAsync("SELECT kind, message, evaluation_id FROM notification_events ORDER BY id");
        Assert.Equal(
            [["evaluation_started", DBNull.Value, DBNull.Value], ["evaluation_failed", "syntax error", DBNull.Value], ["evaluation_finished", DBNull.Value, evaluation]],
            events.Select(e => e.ToArray()));
    }

    [Fact]
    public async Task Fan_out_matches_the_sink_jobset_events_and_job_glob()
    {
        await using var harness = await NotificationHarness.CreateAsync();
        await harness.Queue.ExecuteAsync("INSERT INTO jobsets (project_id, name, nix_expr_input, nix_expr_path, created_at) SELECT id, 'other', 'src', 'x.nix', now() FROM projects WHERE name = 'p'");
        var tests = await harness.AddSinkAsync(NotificationSinkKinds.Webhook, new JsonObject { ["url"] = "http://127.0.0.1:1/" }, ["build_finished"], jobs: "tests.*");
        var everything = await harness.AddSinkAsync(NotificationSinkKinds.Webhook, new JsonObject { ["url"] = "http://127.0.0.1:1/" }, ["build_queued"], jobset: "j");
        var otherJobset = await harness.AddSinkAsync(NotificationSinkKinds.Webhook, new JsonObject { ["url"] = "http://127.0.0.1:1/" }, jobset: "other");
        var (_, unit) = await harness.AddBuildAsync("tests.unit");
        var (_, tool) = await harness.AddBuildAsync("tool_x");
        await harness.Queue.ExecuteAsync("UPDATE builds SET finished = true, build_status = 0, start_time = now(), stop_time = now()");

        // Two queued and two finished events (a build that starts and finishes in one change gets no started event).
        Assert.Equal(4, await harness.Outbox.FanOutAsync(100, CancellationToken.None));

        var deliveries = await harness.RowsAsync("SELECT d.sink_id, e.kind, e.build_id FROM notification_deliveries d JOIN notification_events e ON e.id = d.event_id ORDER BY d.sink_id, e.build_id");
        Assert.Equal(
            [[tests, "build_finished", unit], [everything, "build_queued", unit], [everything, "build_queued", tool]],
            deliveries.Select(r => r.ToArray()));
        Assert.DoesNotContain(deliveries, r => (long)r[0] == otherJobset);
        Assert.Equal(0, await harness.Outbox.FanOutAsync(100, CancellationToken.None));
    }
}
