using Hydra.Core;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Hydra.Queue.Completion;

/// <summary>Lease expiry, the repair sweep and the unsupported-system timeout, callable from the background loops and from tests.</summary>
public sealed class QueueMaintenance(NpgsqlDataSource dataSource, IOptions<QueueOptions> options, TimeProvider clock)
{
    /// <summary>Aborts attempts whose lease ran out and returns their steps to the queue. Returns how many.</summary>
    public async Task<int> ReapExpiredLeasesAsync(CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        var expired = new List<(long Step, int Tries)>();
        await using (var select = new NpgsqlCommand(
            """
            UPDATE step_attempts a SET state = 3, finished_at = @now, error_message = 'lease expired: the worker stopped sending heartbeats'
            FROM steps s
            WHERE a.state = 0 AND a.lease_expires_at < @now AND s.id = a.step_id
            RETURNING s.id, s.tries, s.current_attempt_id = a.id AND s.state = 2
            """, connection, transaction))
        {
            select.Parameters.AddWithValue("now", now);
            await using var reader = await select.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                if (reader.GetBoolean(2))
                {
                    expired.Add((reader.GetInt64(0), reader.GetInt32(1)));
                }
            }
        }
        foreach (var (step, tries) in expired)
        {
            await StepTransitions.AbortAsync(connection, transaction, step, tries, "worker lost (lease expired)", options.Value, now, cancellationToken);
        }
        await transaction.CommitAsync(cancellationToken);
        return expired.Count;
    }

    /// <summary>
    /// Repairs states that concurrent ingestion and completion can leave: a pending step whose
    /// dependencies all succeeded, a pending step with a failed dependency, and an unfinished build
    /// whose top step already ended. Each statement is idempotent.
    /// </summary>
    /// <remarks>
    /// A pending step whose derivation is in the failure cache is not promoted: ingestion writes its steps before
    /// the evaluation's last transaction fails such steps as cached failures, and a sweep in between would
    /// otherwise build the derivation again (see EvaluationFinalizer).
    /// </remarks>
    public async Task RepairAsync(CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await using (var repair = new NpgsqlCommand(
            $"""
            UPDATE steps d SET state = 1
            WHERE d.state = 0 AND NOT EXISTS (
                SELECT 1 FROM step_dependencies e JOIN steps x ON x.id = e.depends_on_id
                WHERE e.step_id = d.id AND x.state <> 3)
              AND NOT EXISTS (SELECT 1 FROM failed_derivations f WHERE f.drv_path = d.drv_path);
            UPDATE steps d SET state = 4, status = {BuildStatus.DependencyFailed}, finished_at = @now
            WHERE d.state = 0 AND EXISTS (
                SELECT 1 FROM step_dependencies e JOIN steps x ON x.id = e.depends_on_id
                WHERE e.step_id = d.id AND x.state IN (4, 5));
            UPDATE builds b SET finished = true, stop_time = @now, start_time = COALESCE(b.start_time, @now),
                build_status = CASE WHEN s.state = 3 THEN COALESCE(s.status, 0) ELSE COALESCE(s.status, {BuildStatus.Aborted}) END
            FROM steps s
            WHERE NOT b.finished AND s.id = b.top_step_id AND s.state >= 3;
            """, connection, transaction))
        {
            repair.Parameters.AddWithValue("now", now);
            if (await repair.ExecuteNonQueryAsync(cancellationToken) > 0)
            {
                await StepTransitions.NotifyRunnableAsync(connection, transaction, cancellationToken);
            }
        }
        await transaction.CommitAsync(cancellationToken);
    }

    /// <summary>
    /// Hydra's unsupported-system rule. A runnable step that no enabled worker seen within
    /// <see cref="QueueOptions.WorkerSeenWithin"/> can build (system, supported and mandatory features,
    /// as in the claim) is marked with the time this was first noticed; a worker that can build it
    /// clears the mark. Once marked for <see cref="QueueOptions.MaxUnsupportedTime"/>, the step fails as
    /// "unsupported system" (status 9) with its builds, and its dependents as "dependency failed".
    /// Returns how many steps failed.
    /// </summary>
    public async Task<int> FailUnsupportedStepsAsync(CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        var queue = options.Value;
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await using (var mark = new NpgsqlCommand(
            """
            WITH live AS (
                SELECT systems || '{builtin}'::text[] AS systems, features || mandatory_features AS supported, mandatory_features AS mandatory
                FROM workers WHERE enabled AND last_seen_at >= @seen
            ), verdict AS (
                SELECT s.id, EXISTS (
                    SELECT 1 FROM live w
                    WHERE s.system = ANY(w.systems) AND s.required_features <@ w.supported AND w.mandatory <@ s.claim_features) AS supported
                FROM steps s WHERE s.state = 1
            )
            UPDATE steps s SET unsupported_since = CASE WHEN v.supported THEN NULL ELSE @now END
            FROM verdict v
            WHERE s.id = v.id AND s.state = 1 AND v.supported = (s.unsupported_since IS NOT NULL)
            """, connection, transaction))
        {
            mark.Parameters.AddWithValue("seen", now - queue.WorkerSeenWithin);
            mark.Parameters.AddWithValue("now", now);
            await mark.ExecuteNonQueryAsync(cancellationToken);
        }

        var expired = new List<(long Step, string System, string[] Features)>();
        await using (var select = new NpgsqlCommand(
            """
            SELECT id, system, required_features FROM steps
            WHERE state = 1 AND unsupported_since <= @deadline
            ORDER BY id
            FOR UPDATE SKIP LOCKED
            """, connection, transaction))
        {
            select.Parameters.AddWithValue("deadline", now - queue.MaxUnsupportedTime);
            await using var reader = await select.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                expired.Add((reader.GetInt64(0), reader.GetString(1), reader.GetFieldValue<string[]>(2)));
            }
        }
        foreach (var (step, system, features) in expired)
        {
            var wanted = features.Length == 0 ? system : $"{system} with features {string.Join(", ", features)}";
            var message = $"no worker seen in the last {queue.WorkerSeenWithin} can build {wanted}; waited {queue.MaxUnsupportedTime}";
            await StepTransitions.FailAsync(connection, transaction, step, BuildStatus.UnsupportedSystem, message, now, cancellationToken);
        }
        await transaction.CommitAsync(cancellationToken);
        return expired.Count;
    }
}
