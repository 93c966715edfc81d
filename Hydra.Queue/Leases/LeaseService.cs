using Hydra.Core.Protocol;
using Hydra.Queue.Logs;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Hydra.Queue.Leases;

/// <summary>Renews leases and checks that an attempt still holds its step.</summary>
public sealed class LeaseService(NpgsqlDataSource dataSource, IOptions<QueueOptions> options, TimeProvider clock)
{
    /// <summary>
    /// Extends the lease if the attempt is still the step's current, running attempt.
    /// Returns null when the lease is lost (expired and reaped, or the step finished elsewhere).
    /// When the step was cancelled the answer says <c>Cancel</c> (the worker kills Nix and reports nothing)
    /// and the attempt ends here as aborted, so the worker's slot is free at once rather than after the lease.
    /// </summary>
    public async Task<HeartbeatResponse?> RenewAsync(long attemptId, long workerId, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        var lease = now + options.Value.LeaseDuration;
        await using var command = dataSource.CreateCommand(
            """
            UPDATE step_attempts a
            SET lease_expires_at = CASE WHEN s.state = 5 THEN a.lease_expires_at ELSE @lease END,
                state = CASE WHEN s.state = 5 THEN 3 ELSE 0 END,
                finished_at = CASE WHEN s.state = 5 THEN @now END,
                error_message = CASE WHEN s.state = 5 THEN 'cancelled: the worker was told to stop' END
            FROM steps s
            WHERE a.id = @attempt AND a.worker_id = @worker AND a.state = 0
              AND s.id = a.step_id AND s.current_attempt_id = a.id AND s.state IN (2, 5)
            RETURNING s.state
            """);
        command.Parameters.AddWithValue("attempt", attemptId);
        command.Parameters.AddWithValue("worker", workerId);
        command.Parameters.AddWithValue("lease", lease);
        command.Parameters.AddWithValue("now", now);
        var state = await command.ExecuteScalarAsync(cancellationToken);
        return state is short s ? new HeartbeatResponse(lease, Cancel: s == 5) : null;
    }

    /// <summary>The step of a running attempt held by this worker, or null when the lease is lost.</summary>
    public async Task<long?> RunningStepAsync(long attemptId, long workerId, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand(
            """
            SELECT s.id FROM step_attempts a JOIN steps s ON s.id = a.step_id
            WHERE a.id = @attempt AND a.worker_id = @worker AND a.state = 0 AND s.current_attempt_id = a.id AND s.state = 2
            """);
        command.Parameters.AddWithValue("attempt", attemptId);
        command.Parameters.AddWithValue("worker", workerId);
        return await command.ExecuteScalarAsync(cancellationToken) as long?;
    }

    /// <summary>
    /// The running attempt held by this worker about to send a log batch, or null when the lease is lost. The first call for an attempt marks its log as started and says so (<see cref="LoggingAttempt.FirstBatch"/>),
    /// so the attempt's header is written exactly once, with the first batch; a worker sends its batches one at a time.
    /// </summary>
    public async Task<LoggingAttempt?> StartLogBatchAsync(long attemptId, long workerId, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var command = new NpgsqlCommand(
            """
            WITH running AS (
                SELECT s.id, s.tries, s.drv_path, w.name, a.started_at, a.log_started
                FROM step_attempts a JOIN steps s ON s.id = a.step_id JOIN workers w ON w.id = a.worker_id
                WHERE a.id = @attempt AND a.worker_id = @worker AND a.state = 0 AND s.current_attempt_id = a.id AND s.state = 2
            ), started AS (
                UPDATE step_attempts SET log_started = true
                WHERE id = @attempt AND NOT log_started AND EXISTS (SELECT 1 FROM running)
            )
            SELECT id, tries, drv_path, name, started_at, log_started FROM running
            """, connection);
        command.Parameters.Add(new NpgsqlParameter<long>("attempt", attemptId));
        command.Parameters.Add(new NpgsqlParameter<long>("worker", workerId));
        await command.PrepareAsync(cancellationToken);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        return await reader.ReadAsync(cancellationToken)
            ? new LoggingAttempt(reader.GetInt64(0), reader.GetInt32(1), reader.GetString(2), reader.GetString(3),
                reader.GetFieldValue<DateTimeOffset>(4), FirstBatch: !reader.GetBoolean(5))
            : null;
    }
}
