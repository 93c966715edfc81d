using Hydra.Core.Data.Entities;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Hydra.Queue.Workers;

/// <summary>
/// Quarantine of workers that keep failing. After each accepted report the attempt's final state (the
/// server's verdict, which may differ from the report: a "success" whose outputs are not in the cache
/// is aborted) counts for or against its worker. Aborted attempts on
/// <see cref="QueueOptions.QuarantineAfter"/> different steps with no success in between quarantine the
/// worker for <see cref="QueueOptions.QuarantineFor"/>: claims answer empty, so its steps go to other
/// workers. A success clears the count and the level.
/// </summary>
/// <remarks>
/// Only aborted attempts count: a permanent failure (status 1, 7, 10, 11) is the derivation's fault and
/// would be the same on any machine. Different steps, because one step that aborts on every machine
/// (it kills the builder, say) says nothing about this worker. Lost leases do not count either: a worker
/// that stopped heartbeating is gone or restarting, and a restarted builder releases its attempts first.
/// Failures reported while quarantined are ignored, so a worker's running steps ending after the fact do
/// not lengthen its quarantine.
/// </remarks>
public sealed partial class WorkerHealth(
    NpgsqlDataSource dataSource, IOptions<QueueOptions> options, WorkerTokens tokens, TimeProvider clock, ILogger<WorkerHealth> logger)
{
    /// <summary>
    /// Counts the finished attempt for or against its worker. The common case (a success from a healthy
    /// worker) is one statement that writes nothing.
    /// </summary>
    public async Task RecordAsync(long attemptId, long workerId, CancellationToken cancellationToken)
    {
        if (options.Value.QuarantineAfter <= 0)
        {
            return;
        }
        AttemptState state;
        long stepId;
        string? error;
        await using (var command = dataSource.CreateCommand(
            """
            WITH attempt AS (SELECT state, step_id, error_message FROM step_attempts WHERE id = @attempt AND worker_id = @worker),
            cleared AS (
                UPDATE workers w SET failed_steps = '{}', quarantine_level = 0
                FROM attempt a
                WHERE w.id = @worker AND a.state = 1 AND (cardinality(w.failed_steps) > 0 OR w.quarantine_level > 0))
            SELECT state, step_id, error_message FROM attempt
            """))
        {
            command.Parameters.AddWithValue("attempt", attemptId);
            command.Parameters.AddWithValue("worker", workerId);
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            if (!await reader.ReadAsync(cancellationToken))
            {
                return;
            }
            state = (AttemptState)reader.GetInt16(0);
            stepId = reader.GetInt64(1);
            error = reader.IsDBNull(2) ? null : reader.GetString(2);
        }
        if (state == AttemptState.Aborted)
        {
            await CountFailureAsync(workerId, stepId, error, cancellationToken);
        }
    }

    /// <summary>Adds the step to the worker's failures and quarantines it when they reach the threshold.</summary>
    private async Task CountFailureAsync(long workerId, long stepId, string? error, CancellationToken cancellationToken)
    {
        var queue = options.Value;
        var now = clock.GetUtcNow();
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        string name;
        long[] failed;
        int level;
        // The row lock orders concurrent reports of one worker's slots.
        await using (var select = new NpgsqlCommand(
            "SELECT name, failed_steps, quarantine_level, quarantined_until FROM workers WHERE id = @worker FOR UPDATE", connection, transaction))
        {
            select.Parameters.AddWithValue("worker", workerId);
            await using var reader = await select.ExecuteReaderAsync(cancellationToken);
            if (!await reader.ReadAsync(cancellationToken) || (!reader.IsDBNull(3) && reader.GetFieldValue<DateTimeOffset>(3) > now))
            {
                return;
            }
            name = reader.GetString(0);
            failed = reader.GetFieldValue<long[]>(1);
            level = reader.GetInt32(2);
        }
        if (!failed.Contains(stepId))
        {
            failed = [.. failed, stepId];
        }
        DateTimeOffset? until = null;
        if (failed.Length >= queue.QuarantineAfter)
        {
            level++;
            until = now + queue.QuarantineFor(level);
            LogQuarantined(name, failed.Length, until.Value, error);
            failed = [];
        }
        await using (var update = new NpgsqlCommand(
            """
            UPDATE workers SET failed_steps = @failed, quarantine_level = @level, last_failure = @error,
                               quarantined_until = COALESCE(@until, quarantined_until)
            WHERE id = @worker
            """, connection, transaction))
        {
            update.Parameters.AddWithValue("failed", failed);
            update.Parameters.AddWithValue("level", level);
            update.Parameters.AddWithValue("error", (object?)Truncate(error) ?? DBNull.Value);
            update.Parameters.Add(new NpgsqlParameter<DateTimeOffset?>("until", until));
            update.Parameters.AddWithValue("worker", workerId);
            await update.ExecuteNonQueryAsync(cancellationToken);
        }
        await transaction.CommitAsync(cancellationToken);
        if (until is not null)
        {
            // Its claims in this process must see the quarantine now, not when the token look-up expires.
            tokens.Forget(workerId);
        }
    }

    /// <summary>The start of the error is what explains it; the attempt keeps the whole message.</summary>
    private static string? Truncate(string? error) => error is { Length: > 500 } ? error[..500] + "…" : error;

    [LoggerMessage(EventId = 2301, Level = LogLevel.Warning,
        Message = "Worker {Worker} quarantined until {Until}: attempts on {Steps} different steps in a row were aborted; last error: {Error}")]
    private partial void LogQuarantined(string worker, int steps, DateTimeOffset until, string? error);
}
