using Microsoft.Extensions.Options;
using Npgsql;

namespace Hydra.Core.Notifications;

/// <summary>
/// The outbox's SQL: fans events out into deliveries, hands due deliveries to workers and records what
/// each attempt did. Events are written by the triggers of migration 0022 in the transaction that changed
/// the build, jobset or evaluation, so an event exists exactly when its change committed.
/// </summary>
/// <remarks>
/// Why delivery is at least once: a worker takes a delivery by moving its <c>next_attempt_at</c> one lease
/// ahead and counting the attempt, in one statement under <c>FOR UPDATE SKIP LOCKED</c>; the delivery leaves
/// state 0 only after the receiver accepted it. A worker that dies after taking it leaves it pending, due
/// again when the lease ends. The attempt number is the fencing token: a worker whose lease ran out and whose
/// delivery another worker took cannot record a result over the newer attempt.
/// </remarks>
public sealed class NotificationOutbox(NpgsqlDataSource dataSource, IOptions<NotificationOptions> options, TimeProvider clock)
{
    /// <summary>A delivery taken by a worker: <see cref="Attempt"/> is its fencing token.</summary>
    public readonly record struct TakenDelivery(long Id, int Attempt, int AttemptsSinceRetry);

    /// <summary>
    /// Turns up to <paramref name="limit"/> new events into one delivery per matching sink (kind, job glob),
    /// and writes <see cref="NotificationEventKinds.EvaluationCompleted"/> for evaluations whose last build
    /// just finished. Returns the number of events handled.
    /// </summary>
    public async Task<int> FanOutAsync(int limit, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand(
            """
            WITH batch AS (
                SELECT id FROM notification_events WHERE NOT fanned_out ORDER BY id LIMIT @limit FOR UPDATE SKIP LOCKED
            ), events AS (
                UPDATE notification_events e SET fanned_out = true FROM batch WHERE e.id = batch.id
                RETURNING e.id, e.kind, e.project_id, e.jobset_id, e.build_id, e.job
            ), completed AS (
                -- One snapshot: the fan-out of the last build's event sees every build of the evaluation finished.
                INSERT INTO notification_events (kind, project_id, jobset_id, evaluation_id, created_at)
                SELECT 'evaluation_completed', j.project_id, v.jobset_id, v.id, @now
                FROM (SELECT DISTINCT m.evaluation_id FROM events e JOIN evaluation_members m ON m.build_id = e.build_id
                      WHERE e.kind = 'build_finished') c
                JOIN evaluations v ON v.id = c.evaluation_id
                JOIN jobsets j ON j.id = v.jobset_id
                WHERE EXISTS (SELECT 1 FROM notification_sinks s
                              WHERE s.enabled AND s.project_id = j.project_id AND (s.jobset_id IS NULL OR s.jobset_id = j.id)
                                AND 'evaluation_completed' = ANY (s.events))
                  AND NOT EXISTS (SELECT 1 FROM evaluation_members m JOIN builds b ON b.id = m.build_id
                                  WHERE m.evaluation_id = v.id AND NOT b.finished)
                ON CONFLICT DO NOTHING
            ), deliveries AS (
                INSERT INTO notification_deliveries (event_id, sink_id, next_attempt_at, created_at)
                SELECT e.id, s.id, @now, @now
                FROM events e
                JOIN notification_sinks s ON s.enabled AND s.project_id = e.project_id AND (s.jobset_id IS NULL OR s.jobset_id = e.jobset_id)
                WHERE e.kind = ANY (s.events)
                  AND (e.job IS NULL OR e.job LIKE replace(replace(replace(replace(s.jobs, '\', '\\'), '%', '\%'), '_', '\_'), '*', '%'))
                ON CONFLICT DO NOTHING
            )
            SELECT count(*) FROM events
            """);
        command.Parameters.AddWithValue("limit", limit);
        command.Parameters.AddWithValue("now", clock.GetUtcNow());
        return (int)(long)(await command.ExecuteScalarAsync(cancellationToken))!;
    }

    /// <summary>
    /// Queues a <see cref="NotificationEventKinds.Test"/> event for sink <paramref name="sinkId"/> of <paramref name="project"/>
    /// and its one delivery, due now, in one statement: the event is written fanned out, so it reaches this sink only, and
    /// it then goes through the same workers, retries and admin page as every other delivery (a disabled sink gets it too,
    /// so it can be tried before it is turned on). The event is about the sink's jobset, or for a sink of the whole project
    /// its first jobset. The delivery's id; null with <c>SinkExists</c> false when there is no such sink, or true when the
    /// project has no jobset for the event to be about.
    /// </summary>
    public async Task<(long? DeliveryId, bool SinkExists)> EnqueueTestAsync(string project, long sinkId, string message, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand(
            """
            WITH sink AS (
                SELECT s.id, s.project_id,
                       COALESCE(s.jobset_id, (SELECT j.id FROM jobsets j WHERE j.project_id = s.project_id ORDER BY j.hidden, j.name LIMIT 1)) AS jobset_id
                FROM notification_sinks s JOIN projects p ON p.id = s.project_id
                WHERE s.id = @sink AND p.name = @project
            ), event AS (
                INSERT INTO notification_events (kind, project_id, jobset_id, message, created_at, fanned_out)
                SELECT 'test', project_id, jobset_id, @message, @now, true FROM sink WHERE jobset_id IS NOT NULL
                RETURNING id
            ), delivery AS (
                INSERT INTO notification_deliveries (event_id, sink_id, next_attempt_at, created_at)
                SELECT event.id, sink.id, @now, @now FROM event, sink
                RETURNING id
            )
            SELECT EXISTS (SELECT 1 FROM sink), (SELECT id FROM delivery)
            """);
        command.Parameters.AddWithValue("project", project);
        command.Parameters.AddWithValue("sink", sinkId);
        command.Parameters.AddWithValue("message", message);
        command.Parameters.AddWithValue("now", clock.GetUtcNow());
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        await reader.ReadAsync(cancellationToken);
        return (reader.IsDBNull(1) ? null : reader.GetInt64(1), reader.GetBoolean(0));
    }

    /// <summary>Takes up to <paramref name="limit"/> due deliveries for this worker, oldest due first.</summary>
    public async Task<IReadOnlyList<TakenDelivery>> TakeDueAsync(int limit, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        await using var command = dataSource.CreateCommand(
            """
            UPDATE notification_deliveries d
            SET attempts = d.attempts + 1, last_attempt_at = @now, next_attempt_at = @leaseEnd
            FROM (SELECT id FROM notification_deliveries WHERE state = 0 AND next_attempt_at <= @now
                  ORDER BY next_attempt_at, id LIMIT @limit FOR UPDATE SKIP LOCKED) due
            WHERE d.id = due.id
            RETURNING d.id, d.attempts, d.attempts - d.retried_at
            """);
        command.Parameters.AddWithValue("now", now);
        command.Parameters.AddWithValue("leaseEnd", now + options.Value.Lease);
        command.Parameters.AddWithValue("limit", limit);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var taken = new List<TakenDelivery>();
        while (await reader.ReadAsync(cancellationToken))
        {
            taken.Add(new TakenDelivery(reader.GetInt64(0), reader.GetInt32(1), reader.GetInt32(2)));
        }
        return taken.OrderBy(t => t.Id).ToList();
    }

    /// <summary>
    /// Records the result of an attempt: delivered or skipped ends it; a retriable failure waits an exponential
    /// backoff (or what the receiver asked for) until the attempts run out; a fatal one fails it at once.
    /// False when the attempt no longer holds the delivery (its lease ran out and another worker took it).
    /// </summary>
    public async Task<bool> RecordAsync(TakenDelivery delivery, DeliveryResult result, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        var settings = options.Value;
        short state;
        var next = now;
        switch (result.Outcome)
        {
            case DeliveryOutcome.Delivered or DeliveryOutcome.Skipped:
                state = 1;
                break;
            case DeliveryOutcome.Retry when delivery.AttemptsSinceRetry < settings.MaxAttempts:
                state = 0;
                next = Backoff.Next(now, delivery.AttemptsSinceRetry, settings.InitialBackoff, settings.MaxBackoff, result.RetryAt);
                break;
            default:
                state = 2;
                break;
        }
        await using var command = dataSource.CreateCommand(
            """
            UPDATE notification_deliveries
            SET state = @state, next_attempt_at = @next,
                delivered_at = CASE WHEN @state = 1 THEN @now END,
                last_error = CASE WHEN @isError THEN @message ELSE last_error END,
                note = CASE WHEN @isError THEN note ELSE @message END
            WHERE id = @id AND state = 0 AND attempts = @attempt
            """);
        command.Parameters.AddWithValue("id", delivery.Id);
        command.Parameters.AddWithValue("attempt", delivery.Attempt);
        command.Parameters.AddWithValue("state", state);
        command.Parameters.AddWithValue("next", next);
        command.Parameters.AddWithValue("now", now);
        command.Parameters.AddWithValue("isError", result.Outcome is DeliveryOutcome.Retry or DeliveryOutcome.Fatal);
        command.Parameters.AddWithValue("message", (object?)result.Message ?? DBNull.Value);
        return await command.ExecuteNonQueryAsync(cancellationToken) == 1;
    }
}
