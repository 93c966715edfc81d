using Hydra.Core;
using Hydra.Queue.Dispatch;
using Npgsql;

namespace Hydra.Queue.Completion;

/// <summary>
/// The state changes that follow a step's end, run inside the caller's transaction: success makes
/// dependents runnable and finishes the builds whose top step it is; permanent failure fails every
/// transitive dependent ("dependency failed") and the builds waiting on them; an infrastructure
/// failure puts the step back in the queue after a backoff, or fails it as aborted after the last try.
/// </summary>
internal static class StepTransitions
{
    /// <summary>
    /// The step's outputs are in the cache: dependents that wait on nothing else become runnable, and the builds
    /// whose top step it is finish with <paramref name="status"/> (succeeded, or failed with output: status 6 only
    /// marks the builds of this derivation; its outputs are still good inputs for dependents, as in Hydra).
    /// </summary>
    public static async Task SucceedAsync(
        NpgsqlConnection connection, NpgsqlTransaction transaction, long stepId, int status, string? message, DateTimeOffset now, CancellationToken cancellationToken)
    {
        await ExecuteAsync(connection, transaction,
            """
            UPDATE steps SET state = 3, status = @status, error_message = @message, finished_at = @now WHERE id = @step;
            UPDATE steps d SET state = 1
            WHERE d.state = 0
              AND d.id IN (SELECT step_id FROM step_dependencies WHERE depends_on_id = @step)
              AND NOT EXISTS (SELECT 1 FROM step_dependencies e JOIN steps x ON x.id = e.depends_on_id
                              WHERE e.step_id = d.id AND x.state <> 3);
            UPDATE builds SET finished = true, build_status = @status, stop_time = @now, start_time = COALESCE(start_time, @now)
            WHERE top_step_id = @step AND NOT finished;
            """,
            stepId, now, cancellationToken, ("status", status), ("message", (object?)message ?? DBNull.Value));
        await NotifyRunnableAsync(connection, transaction, cancellationToken);
    }

    /// <summary>
    /// Ends the step for good with <paramref name="status"/>; every transitive dependent fails as "dependency
    /// failed", and so do the builds waiting on them. A plain failure (status 1) also enters the failure cache,
    /// so the derivation is not built again until the cache entry is cleared.
    /// </summary>
    public static Task FailAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, long stepId, int status, string? message, DateTimeOffset now, CancellationToken cancellationToken) =>
        ExecuteAsync(connection, transaction,
            $"""
            UPDATE steps SET state = 4, status = @status, error_message = @message, finished_at = @now WHERE id = @step;
            INSERT INTO failed_derivations (drv_path, step_id, failed_at)
            SELECT drv_path, id, @now FROM steps WHERE id = @step AND @status = {BuildStatus.Failed}
            ON CONFLICT (drv_path) DO UPDATE SET step_id = EXCLUDED.step_id, failed_at = EXCLUDED.failed_at;
            WITH RECURSIVE dependents(id) AS (
                SELECT step_id FROM step_dependencies WHERE depends_on_id = @step
                UNION
                SELECT d.step_id FROM step_dependencies d JOIN dependents x ON d.depends_on_id = x.id
            ), failed AS (
                UPDATE steps SET state = 4, status = 2, finished_at = @now
                WHERE id IN (SELECT id FROM dependents) AND state < 3
                RETURNING id
            )
            UPDATE builds b
            SET finished = true, stop_time = @now, start_time = COALESCE(b.start_time, @now),
                build_status = CASE WHEN b.top_step_id = @step THEN @status ELSE 2 END
            WHERE NOT b.finished AND (b.top_step_id = @step OR b.top_step_id IN (SELECT id FROM dependents));
            """,
            stepId, now, cancellationToken, ("status", status), ("message", (object?)message ?? DBNull.Value));

    /// <summary>
    /// Returns the step to the queue after an infrastructure failure, or fails it as aborted when out of tries.
    /// Returns true when the step ended for good.
    /// </summary>
    public static async Task<bool> AbortAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, long stepId, int tries, string? message, QueueOptions options, DateTimeOffset now, CancellationToken cancellationToken)
    {
        if (tries >= options.MaxTries)
        {
            await FailAsync(connection, transaction, stepId, BuildStatus.Aborted, message, now, cancellationToken);
            return true;
        }
        await ExecuteAsync(connection, transaction,
            "UPDATE steps SET state = 1, runnable_after = @after, error_message = @message WHERE id = @step AND state = 2;",
            stepId, now, cancellationToken, ("after", now + options.RetryDelay(tries)), ("message", (object?)message ?? DBNull.Value));
        await NotifyRunnableAsync(connection, transaction, cancellationToken);
        return false;
    }

    public static async Task NotifyRunnableAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, CancellationToken cancellationToken)
    {
        await using var notify = new NpgsqlCommand($"SELECT pg_notify('{QueueChannels.StepsRunnable}', '')", connection, transaction);
        await notify.ExecuteNonQueryAsync(cancellationToken);
    }

    private static async Task ExecuteAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, string sql, long stepId, DateTimeOffset now,
        CancellationToken cancellationToken, params (string Name, object Value)[] parameters)
    {
        await using var command = new NpgsqlCommand(sql, connection, transaction);
        command.Parameters.AddWithValue("step", stepId);
        command.Parameters.AddWithValue("now", now);
        foreach (var (name, value) in parameters)
        {
            command.Parameters.AddWithValue(name, value);
        }
        await command.ExecuteNonQueryAsync(cancellationToken);
    }
}
