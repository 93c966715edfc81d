using System.Collections.Concurrent;
using Hydra.Core.Protocol;
using Hydra.Queue.Batching;
using Hydra.Queue.Logs;
using Hydra.Queue.Metrics;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Hydra.Queue.Dispatch;

/// <summary>
/// Hands runnable steps to workers. One statement picks the best runnable steps the workers can build
/// with <c>FOR UPDATE SKIP LOCKED</c>, records an attempt with a lease for each, and marks the steps running,
/// so concurrent claimers never get the same step.
/// </summary>
/// <remarks>
/// <para>Claims are group-committed (<see cref="GroupCommit{TItem, TResult}"/>): claims of workers with the same
/// capabilities (<see cref="WorkerCapabilities.Key"/>) that arrive while such a statement runs are served
/// together by the next one, which picks up to one step per caller and pairs them in arrival order (the first
/// caller gets the best step). Each caller keeps its own slot limit and enabled/quarantine check. A lone claim
/// is a batch of one.</para>
/// <para>The order is bump (global priority) first, then fair share (the step's lowest jobset share bucket),
/// local priority, critical path, and age (id). <c>steps_dispatch</c> holds exactly that order per
/// system, so each of the worker's systems costs one short index walk (skipping only steps whose
/// features do not fit or whose retry time has not come), whatever the length of the queue.
/// The statement is prepared, and PostgreSQL plans a prepared statement once (a generic plan) only if
/// that plan looks about as cheap as one made for the parameters at hand. Written plainly, the feature
/// and retry filters look so selective to the generic planner that it prefers a sequential scan and a
/// sort, so every claim was planned afresh (planning cost more than running). Inside a CASE the filters
/// count as an ordinary condition, the index walk stays the plan, and it is planned once per connection.
/// For the same reason the batch size and the number of systems are constants in the text (one statement per pair), not parameters:
/// a <c>LIMIT</c> the planner cannot see is guessed large, and a large guess favours the sort.</para>
/// </remarks>
public sealed class StepClaimer(NpgsqlDataSource dataSource, IOptions<QueueOptions> options, CachedSteps cache, TimeProvider clock)
{
    /// <summary>Most claims one statement serves.</summary>
    public const int MaxBatch = 32;

    /// <summary>
    /// Claim statements of one capability key running at once; the callers arriving meanwhile wait for the next. One, as in
    /// a database's group commit: the statement serves them all, and with two in flight the batches were half as big for
    /// no more throughput on the 2-core machines measured (bench/README.md). One also keeps the slot limit exact: a batch
    /// counts a worker's running attempts in its snapshot plus its own earlier calls, so two batches in flight could each
    /// give the same worker its last free slot.
    /// </summary>
    private const int MaxInFlight = 1;

    /// <summary>The claim statement per batch size and number of systems (see <see cref="BatchSql"/>), made on first use.</summary>
    private static readonly ConcurrentDictionary<(int Size, int Systems), string> ClaimSql = new();

    private readonly ConcurrentDictionary<string, GroupCommit<ClaimCall, ClaimedRow?>> _batches = new(StringComparer.Ordinal);

    /// <summary>
    /// The claim statement for <paramref name="size"/> callers (<c>@workers</c>, <c>@max_jobs</c>, in arrival order)
    /// and <paramref name="systems"/> systems (<c>@systems</c>).
    /// A caller is eligible when its worker is enabled, not quarantined and has a free slot, counting the earlier
    /// callers of the same worker in the batch; the n-th eligible caller gets the n-th best step.
    /// The arrays are read by subscript over <c>generate_series(1, n)</c> with n a constant, not with <c>unnest</c>:
    /// the planner counts the rows of a constant series exactly but guesses ten for the <c>unnest</c> of a parameter,
    /// which made the generic plan look twice as dear as a custom one, so every claim was planned afresh (planning
    /// was 40 % of the statement's time in the bench, <c>pg_stat_statements</c> with <c>track_planning</c>).
    /// </summary>
    private static string BatchSql(int size, int systems) =>
        $"""
        WITH caller AS (
            SELECT c.worker, c.ord, row_number() OVER (ORDER BY c.ord) AS n
            FROM (SELECT (@workers)[g] AS worker, (@max_jobs)[g] AS max_jobs, g AS ord FROM generate_series(1, {size}) g) c
            WHERE NOT EXISTS (SELECT 1 FROM workers w WHERE w.id = c.worker AND (NOT w.enabled OR w.quarantined_until > @now))
              AND (SELECT count(*) FROM step_attempts WHERE worker_id = c.worker AND state = 0 AND lease_expires_at > @now)
                  + (SELECT count(*) FROM generate_series(1, {size}) e(ord) WHERE (@workers)[e.ord] = c.worker AND e.ord < c.ord)
                  < c.max_jobs
        ), candidate AS (
            SELECT c.id, row_number() OVER (ORDER BY c.global_priority DESC, c.share_bucket, c.local_priority DESC, c.critical_path DESC, c.id) AS n
            FROM (SELECT (@systems)[g] AS system FROM generate_series(1, {systems}) g) wanted
            CROSS JOIN LATERAL (
                SELECT s.id, s.global_priority, s.share_bucket, s.local_priority, s.critical_path
                FROM steps s
                WHERE s.state = 1 AND s.system = wanted.system
                  AND CASE WHEN (s.runnable_after IS NULL OR s.runnable_after <= @now)
                                AND s.required_features <@ @supported AND @mandatory <@ s.claim_features
                           THEN true ELSE false END
                ORDER BY s.global_priority DESC, s.share_bucket, s.local_priority DESC, s.critical_path DESC, s.id
                LIMIT {size}
                FOR UPDATE SKIP LOCKED
            ) c
            WHERE EXISTS (SELECT 1 FROM caller)
        ), paired AS (
            SELECT c.id, e.worker, e.ord FROM candidate c JOIN caller e ON e.n = c.n
        ), attempt AS (
            INSERT INTO step_attempts (step_id, worker_id, state, lease_expires_at, started_at)
            SELECT id, worker, 0, @lease, @now FROM paired
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
        SELECT p.ord, c.id, c.attempt_id, c.drv_path, c.system, c.output_paths, c.tries, l.timeout, l.max_silent,
            extract(epoch FROM clock_timestamp() - greatest(c.runnable_since, c.runnable_after))::float8
        FROM claimed c
        JOIN paired p ON p.id = c.id
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
        var batches = _batches.GetOrAdd(capabilities.Key,
            _ => new GroupCommit<ClaimCall, ClaimedRow?>(calls => ClaimBatchAsync(capabilities, calls), MaxBatch, MaxInFlight));
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var pending = batches.RunAsync(new ClaimCall(workerId, capabilities.MaxJobs));
            ClaimedRow? claimed;
            try
            {
                claimed = await pending.WaitAsync(cancellationToken);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                // The batch runs on without us: a step it claims for this caller goes straight back to the queue.
                _ = ReleaseUnwantedAsync(pending);
                throw;
            }
            if (claimed is not { } row)
            {
                return null;
            }
            if (await cache.AllInCacheAsync(row.Claim.OutputPaths, cancellationToken))
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

    private async Task ReleaseUnwantedAsync(Task<ClaimedRow?> pending)
    {
        try
        {
            if (await pending is { } row)
            {
                await ReleaseAsync(row.Claim, CancellationToken.None);
            }
        }
        catch (Exception exception) when (exception is NpgsqlException or TimeoutException or InvalidOperationException)
        {
            // Nobody waits for this any more; an attempt left running is taken back when its lease expires.
        }
    }

    /// <summary>One caller of a claim batch: its worker and slot limit (the capabilities are the batch's).</summary>
    internal readonly record struct ClaimCall(long WorkerId, int MaxJobs);

    /// <summary>A step claimed for one caller, and how long it had been runnable.</summary>
    internal readonly record struct ClaimedRow(ClaimResponse Claim, double WaitSeconds);

    /// <summary>
    /// Runs one claim statement for <paramref name="calls"/> (at most <see cref="MaxBatch"/>, all with
    /// <paramref name="capabilities"/>): entry i is caller i's claim, or null. Cached outputs are not looked at here.
    /// </summary>
    // The reader and its pooled connection are released when this method returns, before any
    // other I/O: disposing a data-source command after its connection went back to the pool
    // would close a connection another caller is already using.
    internal async Task<ClaimedRow?[]> ClaimBatchAsync(WorkerCapabilities capabilities, IReadOnlyList<ClaimCall> calls)
    {
        var queue = options.Value;
        var now = clock.GetUtcNow();
        var claims = new ClaimedRow?[calls.Count];
        await using var connection = await dataSource.OpenConnectionAsync();
        await using var command = new NpgsqlCommand(ClaimSql.GetOrAdd((calls.Count, capabilities.Systems.Length), key => BatchSql(key.Size, key.Systems)), connection);
        command.Parameters.Add(new NpgsqlParameter<long[]>("workers", calls.Select(c => c.WorkerId).ToArray()));
        command.Parameters.Add(new NpgsqlParameter<long[]>("max_jobs", calls.Select(c => (long)c.MaxJobs).ToArray()));
        command.Parameters.AddWithValue("systems", capabilities.Systems);
        command.Parameters.AddWithValue("supported", capabilities.Supported);
        command.Parameters.AddWithValue("mandatory", capabilities.Mandatory);
        command.Parameters.AddWithValue("now", now);
        command.Parameters.AddWithValue("lease", now + queue.LeaseDuration);
        command.Parameters.AddWithValue("timeout", (int)queue.BuildTimeout.TotalSeconds);
        command.Parameters.AddWithValue("maxSilent", (int)queue.MaxSilentTime.TotalSeconds);
        // Planning this statement costs about as much as running it. Npgsql keeps prepared statements
        // per physical connection, so after the first claim of a batch size on a pooled connection this is a look-up.
        await command.PrepareAsync();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            var claim = new ClaimResponse(
                StepId: reader.GetInt64(1),
                AttemptId: reader.GetInt64(2),
                DrvPath: reader.GetString(3),
                System: reader.GetString(4),
                OutputPaths: reader.GetFieldValue<string[]>(5),
                LeaseSeconds: (int)queue.LeaseDuration.TotalSeconds,
                HeartbeatSeconds: Math.Max(1, (int)queue.HeartbeatInterval.TotalSeconds),
                // The longest limits any build of the step asks for (meta.timeout / meta.maxSilent, else the defaults).
                Limits: new StepLimits(
                    reader.IsDBNull(7) ? (int)queue.BuildTimeout.TotalSeconds : reader.GetInt32(7),
                    reader.IsDBNull(8) ? (int)queue.MaxSilentTime.TotalSeconds : reader.GetInt32(8),
                    queue.MaxLogSize,
                    queue.MaxOutputSize));
            claims[reader.GetInt64(0) - 1] = new ClaimedRow(claim, reader.IsDBNull(9) ? 0 : reader.GetDouble(9));
        }
        return claims;
    }
}
