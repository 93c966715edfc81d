using Hydra.Core;
using Hydra.Core.Protocol;
using Hydra.Queue.Batching;
using Hydra.Queue.Dispatch;
using Npgsql;
using NpgsqlTypes;

namespace Hydra.Queue.Completion;

/// <summary>
/// Applies the common report, a success whose outputs the server found in the cache, group-committed: the
/// successes that arrive while one such statement runs are applied together by the next, one statement over
/// arrays (<c>unnest</c>) for all of them. Each report is still a compare-and-set on its own attempt (the
/// fencing token) and its outputs; a report the statement does not apply (late, repeated, outputs not the
/// step's) comes back as null and <see cref="StepResults"/> classifies it alone, as before.
/// </summary>
/// <remarks>
/// Every success goes through here: on the fast path with the outputs the worker reported, after the slow path's
/// checks with the step's own. The statement does for many steps what <see cref="StepTransitions.SucceedCtes"/> does
/// for one (a cached step still uses that): records each attempt, stores the builds' products and
/// metrics, marks the steps succeeded, promotes dependents waiting on nothing else (counting every step of the
/// batch as done, since all parts of one statement read one snapshot), finishes the builds whose top step
/// succeeded, and clears each reporting worker's failure count (what <see cref="Workers.WorkerHealth"/> does after a
/// success). Steps are locked in id order, and a batch aborted by a deadlock runs again.
/// </remarks>
internal sealed class SuccessReports
{
    private const int MaxBatch = 32;
    private const int MaxInFlight = 1;

    private const string Sql =
        """
        WITH input AS (
            SELECT * FROM unnest(@attempt, @worker, @code, @attempt_message, @status, @message, @release)
                AS i(attempt, worker, code, attempt_message, status, message, release)
        ), target AS (
            SELECT s.id, i.attempt
            FROM input i
            JOIN step_attempts a ON a.id = i.attempt
            JOIN steps s ON s.id = a.step_id
            CROSS JOIN LATERAL (
                SELECT COALESCE(array_agg(o.path), '{}') AS paths FROM unnest(@o_attempt, @o_path) AS o(attempt, path) WHERE o.attempt = i.attempt) o
            WHERE s.state = 2 AND s.current_attempt_id = a.id AND a.worker_id = i.worker AND a.state = 0
              AND s.output_paths <@ o.paths AND o.paths <@ s.output_paths
            ORDER BY s.id
            FOR UPDATE OF s, a
        ), recorded AS (
            UPDATE step_attempts a SET state = 1, finished_at = @now, exit_code = i.code, error_message = i.attempt_message
            FROM target t JOIN input i ON i.attempt = t.attempt
            WHERE a.id = t.attempt
            RETURNING a.id, a.step_id, a.started_at
        ), products AS (
            INSERT INTO build_products (build_id, product_nr, type, subtype, file_size, sha256hash, path, name, default_path)
            SELECT b.id, p.nr, p.type, p.subtype, p.size, p.sha256, p.path, p.name, p.default_path
            FROM unnest(@p_attempt, @nr, @type, @subtype, @size, @sha256, @path, @name, @default)
                AS p(attempt, nr, type, subtype, size, sha256, path, name, default_path)
            JOIN target t ON t.attempt = p.attempt
            JOIN builds b ON b.top_step_id = t.id AND NOT b.finished
            ON CONFLICT DO NOTHING
        ), metrics AS (
            INSERT INTO build_metrics (build_id, name, unit, value, jobset_id, job, timestamp)
            SELECT b.id, m.name, m.unit, m.value, b.jobset_id, b.job, b.queued_at
            FROM unnest(@m_attempt, @metric, @unit, @value) AS m(attempt, name, unit, value)
            JOIN target t ON t.attempt = m.attempt
            JOIN builds b ON b.top_step_id = t.id AND NOT b.finished
            ON CONFLICT DO NOTHING
        ), succeeded AS (
            UPDATE steps s SET state = 3, status = i.status, error_message = i.message, finished_at = @now
            FROM target t JOIN input i ON i.attempt = t.attempt
            WHERE s.id = t.id
            RETURNING s.id
        ), promoted AS (
            UPDATE steps d SET state = 1
            WHERE d.state = 0
              AND d.id IN (SELECT e.step_id FROM step_dependencies e WHERE e.depends_on_id = ANY (ARRAY(SELECT id FROM target)))
              AND NOT EXISTS (SELECT 1 FROM step_dependencies e JOIN steps x ON x.id = e.depends_on_id
                              WHERE e.step_id = d.id AND x.state <> 3 AND x.id <> ALL (ARRAY(SELECT id FROM target)))
            RETURNING d.id
        ), finished_builds AS (
            UPDATE builds b SET finished = true, build_status = i.status, stop_time = @now, start_time = COALESCE(b.start_time, @now),
                release_name = COALESCE(i.release, b.release_name)
            FROM target t JOIN input i ON i.attempt = t.attempt
            WHERE b.top_step_id = t.id AND NOT b.finished
            RETURNING b.id
        ), health AS (
            UPDATE workers w SET failed_steps = '{}', quarantine_level = 0
            WHERE w.id IN (SELECT i.worker FROM input i JOIN target t ON t.attempt = i.attempt)
              AND (cardinality(w.failed_steps) > 0 OR w.quarantine_level > 0)
        )
        SELECT r.id, r.step_id, r.started_at, EXISTS (SELECT 1 FROM promoted) OR EXISTS (SELECT 1 FROM finished_builds)
        FROM recorded r
        """;

    private readonly NpgsqlDataSource _dataSource;
    private readonly RunnableNotifier _notifier;
    private readonly TimeProvider _clock;
    private readonly GroupCommit<SuccessReport, AppliedReport?> _batches;

    public SuccessReports(NpgsqlDataSource dataSource, RunnableNotifier notifier, TimeProvider clock)
    {
        _dataSource = dataSource;
        _notifier = notifier;
        _clock = clock;
        _batches = new GroupCommit<SuccessReport, AppliedReport?>(ApplyBatchAsync, MaxBatch, MaxInFlight);
    }

    /// <summary>
    /// Applies one success (its products and metrics already checked by <see cref="NixSupportRules"/>) together with
    /// those arriving meanwhile; null when it did not apply and the caller must look closer.
    /// </summary>
    public Task<AppliedReport?> ApplyAsync(SuccessReport report) => _batches.RunAsync(report);

    /// <summary>Runs one statement for <paramref name="reports"/>: entry i is report i's step when it was applied, else null.</summary>
    internal async Task<AppliedReport?[]> ApplyBatchAsync(IReadOnlyList<SuccessReport> reports)
    {
        var applied = new AppliedReport?[reports.Count];
        // The same report twice in one batch (a retry racing its original): only the first goes in, the other
        // finds the attempt finished afterwards and is told it was a duplicate.
        var first = new Dictionary<long, int>();
        for (var i = 0; i < reports.Count; i++)
        {
            first.TryAdd(reports[i].AttemptId, i);
        }
        var batch = first.Values.Select(i => reports[i]).ToArray();

        await using var connection = await _dataSource.OpenConnectionAsync();
        await using var command = new NpgsqlCommand(Sql, connection);
        var parameters = command.Parameters;
        parameters.Add(new NpgsqlParameter<DateTimeOffset>("now", _clock.GetUtcNow()));
        parameters.Add(new NpgsqlParameter<long[]>("attempt", [.. batch.Select(r => r.AttemptId)]));
        parameters.Add(new NpgsqlParameter<long[]>("worker", [.. batch.Select(r => r.WorkerId)]));
        parameters.Add(new NpgsqlParameter<int?[]>("code", [.. batch.Select(r => r.ExitCode)]));
        parameters.Add(new NpgsqlParameter<string?[]>("attempt_message", [.. batch.Select(r => r.ErrorMessage)]));
        parameters.Add(new NpgsqlParameter<int[]>("status", [.. batch.Select(r => r.FailedWithOutput ? BuildStatus.FailedWithOutput : BuildStatus.Succeeded)]));
        parameters.Add(new NpgsqlParameter<string?[]>("message", [.. batch.Select(r => r.FailedWithOutput ? r.ErrorMessage : null)]));
        parameters.Add(new NpgsqlParameter<string?[]>("release", [.. batch.Select(r => r.ReleaseName)]));
        var outputs = batch.SelectMany(r => r.Outputs.Select(path => (r.AttemptId, path))).ToArray();
        parameters.Add(new NpgsqlParameter<long[]>("o_attempt", [.. outputs.Select(o => o.AttemptId)]));
        parameters.Add(new NpgsqlParameter<string[]>("o_path", [.. outputs.Select(o => o.path)]));
        var products = batch.SelectMany(r => r.Products.Select((p, i) => (r.AttemptId, Nr: i + 1, Product: p))).ToArray();
        parameters.Add(new NpgsqlParameter<long[]>("p_attempt", [.. products.Select(p => p.AttemptId)]));
        parameters.Add(new NpgsqlParameter<int[]>("nr", [.. products.Select(p => p.Nr)]));
        parameters.Add(new NpgsqlParameter<string[]>("type", [.. products.Select(p => p.Product.Type)]));
        parameters.Add(new NpgsqlParameter<string[]>("subtype", [.. products.Select(p => p.Product.Subtype)]));
        parameters.Add(new NpgsqlParameter<long?[]>("size", [.. products.Select(p => p.Product.FileSize)]));
        parameters.Add(new NpgsqlParameter<string?[]>("sha256", [.. products.Select(p => p.Product.Sha256)]));
        parameters.Add(new NpgsqlParameter<string[]>("path", [.. products.Select(p => p.Product.Path)]));
        parameters.Add(new NpgsqlParameter<string[]>("name", [.. products.Select(p => p.Product.Name)]));
        parameters.Add(new NpgsqlParameter<string[]>("default", [.. products.Select(p => p.Product.DefaultPath)]));
        var metrics = batch.SelectMany(r => r.Metrics.Select(m => (r.AttemptId, Metric: m))).ToArray();
        parameters.Add(new NpgsqlParameter<long[]>("m_attempt", [.. metrics.Select(m => m.AttemptId)]));
        parameters.Add(new NpgsqlParameter<string[]>("metric", [.. metrics.Select(m => m.Metric.Name)]));
        parameters.Add(new NpgsqlParameter<string[]>("unit", [.. metrics.Select(m => m.Metric.Unit)]));
        parameters.Add(new NpgsqlParameter<double[]>("value", [.. metrics.Select(m => m.Metric.Value)]));
        await command.PrepareAsync();
        var wake = false;
        await using (var reader = await command.ExecuteReaderAsync())
        {
            while (await reader.ReadAsync())
            {
                applied[first[reader.GetInt64(0)]] = new AppliedReport(reader.GetInt64(1), reader.GetFieldValue<DateTimeOffset>(2));
                wake |= reader.GetBoolean(3);
            }
        }
        if (wake)
        {
            _notifier.Pulse();
        }
        return applied;
    }
}

/// <summary>A success report for <see cref="SuccessReports"/>: the attempt, its worker, the outputs the server checked, and what the builds keep.</summary>
internal sealed record SuccessReport(
    long AttemptId, long WorkerId, int? ExitCode, string? ErrorMessage, bool FailedWithOutput, string[] Outputs,
    IReadOnlyList<BuildProductInfo> Products, IReadOnlyList<BuildMetricInfo> Metrics, string? ReleaseName);

/// <summary>A report that was applied: its step and when the attempt started.</summary>
internal readonly record struct AppliedReport(long StepId, DateTimeOffset StartedAt);
