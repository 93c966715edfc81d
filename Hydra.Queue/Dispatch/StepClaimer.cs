using Hydra.Core.Protocol;
using Hydra.Queue.Logs;
using Hydra.Queue.Metrics;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Hydra.Queue.Dispatch;

/// <summary>
/// Hands runnable steps to workers. One statement picks the best runnable step the worker can build
/// with <c>FOR UPDATE SKIP LOCKED</c>, records an attempt with a lease, and marks the step running, so
/// concurrent claimers never get the same step.
/// </summary>
/// <remarks>
/// The order is bump (global priority) first, then fair share (the step's lowest jobset share bucket),
/// local priority, critical path, and age (id). <c>steps_dispatch</c> holds exactly that order per
/// system, so each of the worker's systems costs one short index walk (skipping only steps whose
/// features do not fit or whose retry time has not come), whatever the length of the queue.
/// The statement is prepared, and PostgreSQL plans a prepared statement once (a generic plan) only if
/// that plan looks about as cheap as one made for the parameters at hand. Written plainly, the feature
/// and retry filters look so selective to the generic planner that it prefers a sequential scan and a
/// sort, so every claim was planned afresh (planning cost more than running). Inside a CASE the filters
/// count as an ordinary condition, the index walk stays the plan, and it is planned once per connection.
/// </remarks>
public sealed class StepClaimer(NpgsqlDataSource dataSource, IOptions<QueueOptions> options, CachedSteps cache, TimeProvider clock)
{
    private const string ClaimSql =
        """
        WITH candidate AS (
            SELECT c.id
            FROM unnest(@systems) AS wanted(system)
            CROSS JOIN LATERAL (
                SELECT s.id, s.global_priority, s.share_bucket, s.local_priority, s.critical_path
                FROM steps s
                WHERE s.state = 1 AND s.system = wanted.system
                  AND CASE WHEN (s.runnable_after IS NULL OR s.runnable_after <= @now)
                                AND s.required_features <@ @supported AND @mandatory <@ s.claim_features
                           THEN true ELSE false END
                ORDER BY s.global_priority DESC, s.share_bucket, s.local_priority DESC, s.critical_path DESC, s.id
                LIMIT 1
                FOR UPDATE SKIP LOCKED
            ) c
            WHERE (SELECT count(*) FROM step_attempts WHERE worker_id = @worker AND state = 0 AND lease_expires_at > @now) < @max_jobs
              AND NOT EXISTS (SELECT 1 FROM workers WHERE id = @worker AND (NOT enabled OR quarantined_until > @now))
            ORDER BY c.global_priority DESC, c.share_bucket, c.local_priority DESC, c.critical_path DESC, c.id
            LIMIT 1
        ), attempt AS (
            INSERT INTO step_attempts (step_id, worker_id, state, lease_expires_at, started_at)
            SELECT id, @worker, 0, @lease, @now FROM candidate
            RETURNING id, step_id
        ), claimed AS (
            UPDATE steps s
            SET state = 2, tries = s.tries + 1, current_attempt_id = a.id, started_at = COALESCE(s.started_at, @now), unsupported_since = NULL
            FROM attempt a WHERE s.id = a.step_id
            RETURNING s.id, a.id AS attempt_id, s.drv_path, s.system, s.output_paths, s.tries, s.runnable_since, s.runnable_after
        ), started_builds AS (
            UPDATE builds b SET start_time = @now
            FROM claimed c, build_steps bs
            WHERE bs.step_id = c.id AND b.id = bs.build_id AND b.start_time IS NULL AND NOT b.finished
        )
        SELECT c.id, c.attempt_id, c.drv_path, c.system, c.output_paths, c.tries, l.timeout, l.max_silent,
            extract(epoch FROM clock_timestamp() - greatest(c.runnable_since, c.runnable_after))::float8
        FROM claimed c
        CROSS JOIN LATERAL (
            SELECT max(COALESCE(b.timeout, @timeout)) AS timeout, max(COALESCE(b.max_silent, @maxSilent)) AS max_silent
            FROM build_steps bs JOIN builds b ON b.id = bs.build_id WHERE bs.step_id = c.id) l
        """;

    /// <summary>
    /// Claims one step, or returns null when nothing runnable matches (or the worker is disabled or quarantined). Steps whose outputs turn out to be
    /// in the cache already are finished on the spot (<see cref="CachedSteps"/>) and the claim goes on.
    /// The claim touches no file: the attempt's header goes into the step's log with its first log batch
    /// (<see cref="StepLogWriter"/>), which reads the worker's name from the database; <paramref name="workerName"/> is unused.
    /// </summary>
    public async Task<ClaimResponse?> TryClaimAsync(long workerId, string workerName, ClaimRequest request, CancellationToken cancellationToken)
    {
        var capabilities = WorkerCapabilities.From(request);
        while (true)
        {
            var now = clock.GetUtcNow();
            var claimed = await ClaimRowAsync(workerId, capabilities, now, cancellationToken);
            if (claimed is not { } row)
            {
                return null;
            }
            if (cache.AllInCache(row.Claim.OutputPaths))
            {
                await cache.FinishAsync(row.Claim.StepId, row.Claim.AttemptId, cancellationToken);
                continue;
            }
            QueueMetrics.RecordClaim(row.WaitSeconds);
            return row.Claim;
        }
    }

    /// <summary>
    /// Gives back a claim that never reached its worker (it had gone by the time the claim was made):
    /// the attempt ends as aborted and the step is runnable again at once, without counting a try.
    /// </summary>
    public async Task ReleaseAsync(ClaimResponse claim, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand(
            """
            WITH released AS (
                UPDATE step_attempts SET state = 3, finished_at = @now, error_message = 'claim not delivered: the worker had stopped waiting'
                WHERE id = @attempt AND state = 0
                RETURNING step_id)
            UPDATE steps SET state = 1, tries = tries - 1, current_attempt_id = NULL
            WHERE id IN (SELECT step_id FROM released) AND current_attempt_id = @attempt AND state = 2
            """);
        command.Parameters.AddWithValue("attempt", claim.AttemptId);
        command.Parameters.AddWithValue("now", clock.GetUtcNow());
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    // The reader and its pooled connection are released when this method returns, before any
    // other I/O: disposing a data-source command after its connection went back to the pool
    // would close a connection another caller is already using.
    private async Task<(ClaimResponse Claim, double WaitSeconds)?> ClaimRowAsync(long workerId, WorkerCapabilities capabilities, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var queue = options.Value;
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var command = new NpgsqlCommand(ClaimSql, connection);
        command.Parameters.AddWithValue("systems", capabilities.Systems);
        command.Parameters.AddWithValue("supported", capabilities.Supported);
        command.Parameters.AddWithValue("mandatory", capabilities.Mandatory);
        command.Parameters.AddWithValue("max_jobs", (long)capabilities.MaxJobs);
        command.Parameters.AddWithValue("worker", workerId);
        command.Parameters.AddWithValue("now", now);
        command.Parameters.AddWithValue("lease", now + queue.LeaseDuration);
        command.Parameters.AddWithValue("timeout", (int)queue.BuildTimeout.TotalSeconds);
        command.Parameters.AddWithValue("maxSilent", (int)queue.MaxSilentTime.TotalSeconds);
        // Planning this statement costs about as much as running it. Npgsql keeps prepared statements
        // per physical connection, so after the first claim on a pooled connection this is a look-up.
        await command.PrepareAsync(cancellationToken);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        if (!await reader.ReadAsync(cancellationToken))
        {
            return null;
        }
        var claim = new ClaimResponse(
            StepId: reader.GetInt64(0),
            AttemptId: reader.GetInt64(1),
            DrvPath: reader.GetString(2),
            System: reader.GetString(3),
            OutputPaths: reader.GetFieldValue<string[]>(4),
            LeaseSeconds: (int)queue.LeaseDuration.TotalSeconds,
            HeartbeatSeconds: Math.Max(1, (int)queue.HeartbeatInterval.TotalSeconds),
            // The longest limits any build of the step asks for (meta.timeout / meta.maxSilent, else the defaults).
            Limits: new StepLimits(
                reader.IsDBNull(6) ? (int)queue.BuildTimeout.TotalSeconds : reader.GetInt32(6),
                reader.IsDBNull(7) ? (int)queue.MaxSilentTime.TotalSeconds : reader.GetInt32(7),
                queue.MaxLogSize,
                queue.MaxOutputSize));
        return (claim, reader.IsDBNull(8) ? 0 : reader.GetDouble(8));
    }
}
