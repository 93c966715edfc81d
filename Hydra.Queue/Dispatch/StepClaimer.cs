using Hydra.Core.Protocol;
using Hydra.Queue.Logs;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Hydra.Queue.Dispatch;

/// <summary>
/// Hands runnable steps to workers. One statement picks the best runnable step for the worker's
/// systems with <c>FOR UPDATE SKIP LOCKED</c>, records an attempt with a lease, and marks the step
/// running, so concurrent claimers never get the same step.
/// </summary>
public sealed class StepClaimer(NpgsqlDataSource dataSource, IOptions<QueueOptions> options, StepLogWriter logs, TimeProvider clock)
{
    private const string ClaimSql =
        """
        WITH candidate AS (
            SELECT id FROM steps
            WHERE state = 1 AND system = ANY(@systems)
              AND (runnable_after IS NULL OR runnable_after <= @now)
              AND required_features <@ @features
            ORDER BY global_priority DESC, local_priority DESC, id
            LIMIT 1
            FOR UPDATE SKIP LOCKED
        ), attempt AS (
            INSERT INTO step_attempts (step_id, worker_id, state, lease_expires_at, started_at)
            SELECT id, @worker, 0, @lease, @now FROM candidate
            RETURNING id, step_id
        ), claimed AS (
            UPDATE steps s
            SET state = 2, tries = s.tries + 1, current_attempt_id = a.id, started_at = COALESCE(s.started_at, @now)
            FROM attempt a WHERE s.id = a.step_id
            RETURNING s.id, a.id AS attempt_id, s.drv_path, s.system, s.output_paths, s.tries
        ), started_builds AS (
            UPDATE builds b SET start_time = @now
            FROM claimed c, build_steps bs
            WHERE bs.step_id = c.id AND b.id = bs.build_id AND b.start_time IS NULL AND NOT b.finished
        )
        SELECT id, attempt_id, drv_path, system, output_paths, tries,
            (SELECT max(COALESCE(b.timeout, @timeout)) FROM build_steps bs JOIN builds b ON b.id = bs.build_id WHERE bs.step_id = claimed.id),
            (SELECT max(COALESCE(b.max_silent, @maxSilent)) FROM build_steps bs JOIN builds b ON b.id = bs.build_id WHERE bs.step_id = claimed.id)
        FROM claimed
        """;

    /// <summary>Claims one step, or returns null when nothing runnable matches.</summary>
    public async Task<ClaimResponse?> TryClaimAsync(long workerId, string workerName, ClaimRequest request, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        var claimed = await ClaimRowAsync(workerId, request, now, cancellationToken);
        if (claimed is not { } row)
        {
            return null;
        }
        await WriteAttemptHeaderAsync(row.Claim, row.Tries, workerName, now, cancellationToken);
        return row.Claim;
    }

    // The reader and its pooled connection are released when this method returns, before any
    // other I/O: disposing a data-source command after its connection went back to the pool
    // would close a connection another caller is already using.
    private async Task<(ClaimResponse Claim, int Tries)?> ClaimRowAsync(long workerId, ClaimRequest request, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var queue = options.Value;
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var command = new NpgsqlCommand(ClaimSql, connection);
        command.Parameters.AddWithValue("systems", request.Systems.ToArray());
        command.Parameters.AddWithValue("features", request.Features.ToArray());
        command.Parameters.AddWithValue("worker", workerId);
        command.Parameters.AddWithValue("now", now);
        command.Parameters.AddWithValue("lease", now + queue.LeaseDuration);
        command.Parameters.AddWithValue("timeout", (int)queue.BuildTimeout.TotalSeconds);
        command.Parameters.AddWithValue("maxSilent", (int)queue.MaxSilentTime.TotalSeconds);
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
        return (claim, reader.GetInt32(5));
    }

    /// <summary>Marks where each attempt starts in the step's durable log.</summary>
    private async Task WriteAttemptHeaderAsync(ClaimResponse claim, int tries, string workerName, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var header = $"{(tries > 1 ? "\n" : "")}=== attempt {tries} of {claim.DrvPath} on {workerName} at {now:u} ===\n";
        await logs.AppendTextAsync(claim.StepId, header, cancellationToken);
    }
}
