using Hydra.Core;
using Hydra.Evaluator.Nix;
using Npgsql;

namespace Hydra.Evaluator.Ingestion;

/// <summary>
/// The multi-row statements ingestion runs. Each takes whole columns as array parameters and
/// expands them with <c>unnest</c>, so a batch is one round trip whatever its size. Statements run
/// in the connection's current transaction.
/// </summary>
internal sealed class IngestionSql(NpgsqlConnection connection)
{
    /// <summary>
    /// Inserts the steps that have no unfinished row yet and returns the id of every given
    /// derivation with whether this call created it. A concurrent evaluation may insert the same
    /// derivation first: the unique index on unfinished steps makes ours a no-op and the look-up
    /// finds theirs. If theirs finished in between, the next round inserts a fresh one. A new step
    /// starts in the jobset's fair-share bucket; a shared one keeps the lowest bucket and the highest
    /// priority and critical path of everyone needing it.
    /// </summary>
    public async Task<Dictionary<string, (long Id, bool Created)>> UpsertStepsAsync(
        long jobsetId, IReadOnlyList<PlannedStep> steps, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var result = new Dictionary<string, (long, bool)>(steps.Count, StringComparer.Ordinal);
        var bucket = await ScalarAsync<int?>("SELECT share_bucket FROM jobset_shares WHERE jobset_id = @j", cancellationToken, ("j", jobsetId)) ?? 0;
        // Sorted, so concurrent evaluations take the unique-index entries in the same order.
        var pending = steps.OrderBy(s => s.DrvPath, StringComparer.Ordinal).ToList();
        for (var round = 0; pending.Count > 0; round++)
        {
            if (round == 3)
            {
                throw new InvalidOperationException($"Steps for {pending.Count} derivations keep finishing while being shared; retry the evaluation.");
            }
            await using (var insert = Command(
                """
                INSERT INTO steps (drv_path, system, output_paths, required_features, prefer_local_build, local_priority, critical_path,
                                   share_bucket, state, created_at)
                SELECT v.drv, v.system, string_to_array(v.outputs, ' '), string_to_array(v.features, ' '), v.local, v.priority, v.depth,
                       @bucket, 0, @now
                FROM unnest(@drv, @system, @outputs, @features, @local, @priority, @depth)
                    AS v(drv, system, outputs, features, local, priority, depth)
                ON CONFLICT (drv_path) WHERE state < 3 DO NOTHING
                RETURNING drv_path, id
                """,
                ("now", now), ("bucket", bucket), ("drv", pending.Select(s => s.DrvPath).ToArray()), ("system", pending.Select(s => s.System).ToArray()),
                ("outputs", pending.Select(s => string.Join(' ', s.OutputPaths)).ToArray()),
                ("features", pending.Select(s => string.Join(' ', s.RequiredFeatures)).ToArray()),
                ("local", pending.Select(s => s.PreferLocalBuild).ToArray()),
                ("priority", pending.Select(s => s.Priority).ToArray()), ("depth", pending.Select(s => s.CriticalPath).ToArray())))
            {
                await ReadPairsAsync(insert, (drv, id) => result[drv] = (id, true), cancellationToken);
            }
            var missing = pending.Where(s => !result.ContainsKey(s.DrvPath)).ToList();
            if (missing.Count == 0)
            {
                break;
            }
            // Shared steps: raise their priority and critical path to ours, lower their share bucket to
            // ours, in id order (row locks in a stable order).
            await using (var existing = Command(
                """
                WITH v AS (SELECT * FROM unnest(@drv, @priority, @depth) AS v(drv, priority, depth)),
                     found AS (SELECT s.id, s.drv_path, v.priority, v.depth FROM steps s JOIN v ON s.drv_path = v.drv WHERE s.state < 3),
                     raised AS (
                         UPDATE steps s SET local_priority = GREATEST(s.local_priority, f.priority),
                                            critical_path = GREATEST(s.critical_path, f.depth),
                                            share_bucket = LEAST(s.share_bucket, @bucket)
                         FROM (SELECT * FROM found ORDER BY id) f
                         WHERE s.id = f.id AND s.state < 3
                           AND (s.local_priority < f.priority OR s.critical_path < f.depth OR s.share_bucket > @bucket))
                SELECT drv_path, id FROM found
                """,
                ("bucket", bucket), ("drv", missing.Select(s => s.DrvPath).ToArray()), ("priority", missing.Select(s => s.Priority).ToArray()),
                ("depth", missing.Select(s => s.CriticalPath).ToArray())))
            {
                await ReadPairsAsync(existing, (drv, id) => result[drv] = (id, false), cancellationToken);
            }
            pending = missing.Where(s => !result.ContainsKey(s.DrvPath)).ToList();
        }
        return result;
    }

    /// <summary>Records that the jobset needs these steps: their time counts against its fair share.</summary>
    public Task LinkJobsetAsync(long jobsetId, long[] steps, CancellationToken cancellationToken) =>
        ExecuteAsync("INSERT INTO step_jobsets (step_id, jobset_id) SELECT unnest(@s), @j ON CONFLICT DO NOTHING",
            cancellationToken, ("s", steps), ("j", jobsetId));

    public Task InsertDependenciesAsync(List<long> steps, List<long> dependencies, CancellationToken cancellationToken) =>
        ExecuteAsync(
            """
            INSERT INTO step_dependencies (step_id, depends_on_id)
            SELECT * FROM unnest(@s, @d) ON CONFLICT DO NOTHING
            """, cancellationToken, ("s", steps.ToArray()), ("d", dependencies.ToArray()));

    /// <summary>Raises unfinished steps to the given priorities and critical paths (never lowers either), in id order.</summary>
    public Task RaiseStepsAsync(long[] steps, int[] priorities, int[] criticalPaths, CancellationToken cancellationToken) =>
        ExecuteAsync(
            """
            UPDATE steps s SET local_priority = GREATEST(s.local_priority, v.priority), critical_path = GREATEST(s.critical_path, v.depth)
            FROM (SELECT * FROM unnest(@s, @p, @c) AS v(id, priority, depth) ORDER BY id) v
            WHERE s.id = v.id AND (s.local_priority < v.priority OR s.critical_path < v.depth) AND s.state < 3
            """, cancellationToken, ("s", steps), ("p", priorities), ("c", criticalPaths));

    /// <summary>Takes <paramref name="count"/> build ids up front, so outputs and links can be written without a read-back.</summary>
    public async Task<long[]> AllocateBuildIdsAsync(int count, CancellationToken cancellationToken)
    {
        await using var command = Command("SELECT nextval(pg_get_serial_sequence('builds', 'id')) FROM generate_series(1, @n)", ("n", count));
        var ids = new List<long>(count);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            ids.Add(reader.GetInt64(0));
        }
        return [.. ids];
    }

    /// <summary>
    /// Inserts new builds. A build without a top step has nothing to build (its outputs are all in
    /// the cache) and finishes at once as a cached success.
    /// </summary>
    public Task InsertBuildsAsync(long jobsetId, IReadOnlyList<(long Id, EvaluatedJob Job, long? TopStep)> builds, DateTimeOffset now, CancellationToken cancellationToken) =>
        ExecuteAsync(
            """
            INSERT INTO builds (id, jobset_id, job, nix_name, description, drv_path, system, top_step_id,
                                finished, build_status, is_cached_build, priority, queued_at, start_time, stop_time,
                                license, homepage, maintainers, timeout, max_silent, is_channel)
            SELECT v.id, @jobset, v.job, v.nix_name, v.description, v.drv, v.system, v.top,
                   v.top IS NULL, CASE WHEN v.top IS NULL THEN 0 END, v.top IS NULL, v.priority, @now,
                   CASE WHEN v.top IS NULL THEN @now END, CASE WHEN v.top IS NULL THEN @now END,
                   v.license, v.homepage, v.maintainers, v.timeout, v.max_silent, v.is_channel
            FROM unnest(@id, @job, @nix_name, @description, @drv, @system, @top, @priority,
                        @license, @homepage, @maintainers, @timeout, @max_silent, @is_channel)
                AS v(id, job, nix_name, description, drv, system, top, priority, license, homepage, maintainers, timeout, max_silent, is_channel)
            """, cancellationToken,
            ("jobset", jobsetId), ("now", now),
            ("id", builds.Select(b => b.Id).ToArray()), ("job", builds.Select(b => b.Job.Name).ToArray()),
            ("nix_name", builds.Select(b => b.Job.NixName).ToArray()), ("description", builds.Select(b => b.Job.Description).ToArray()),
            ("drv", builds.Select(b => b.Job.DrvPath).ToArray()), ("system", builds.Select(b => b.Job.System).ToArray()),
            ("top", builds.Select(b => b.TopStep).ToArray()), ("priority", builds.Select(b => b.Job.SchedulingPriority).ToArray()),
            ("license", builds.Select(b => b.Job.License).ToArray()), ("homepage", builds.Select(b => b.Job.Homepage).ToArray()),
            ("maintainers", builds.Select(b => b.Job.Maintainers).ToArray()), ("timeout", builds.Select(b => b.Job.Timeout).ToArray()),
            ("max_silent", builds.Select(b => b.Job.MaxSilent).ToArray()), ("is_channel", builds.Select(b => b.Job.IsChannel).ToArray()));

    public Task InsertBuildOutputsAsync(List<long> builds, List<string> names, List<string> paths, CancellationToken cancellationToken) =>
        ExecuteAsync("INSERT INTO build_outputs (build_id, name, path) SELECT * FROM unnest(@b, @n, @p)",
            cancellationToken, ("b", builds.ToArray()), ("n", names.ToArray()), ("p", paths.ToArray()));

    public Task InsertBuildStepsAsync(List<long> builds, List<long> steps, CancellationToken cancellationToken) =>
        ExecuteAsync("INSERT INTO build_steps (build_id, step_id) SELECT * FROM unnest(@b, @s) ON CONFLICT DO NOTHING",
            cancellationToken, ("b", builds.ToArray()), ("s", steps.ToArray()));

    /// <summary>The evaluation the final transaction inserted (its first statement): members and the rest refer to it.</summary>
    private const string ThisEvaluation = "(SELECT currval(pg_get_serial_sequence('evaluations', 'id')))";

    /// <summary>Members of the evaluation just inserted: parameters <c>b</c> (build ids) and <c>n</c> (whether each is new).</summary>
    public const string InsertMembers =
        $"INSERT INTO evaluation_members (evaluation_id, build_id, is_new) SELECT {ThisEvaluation}, * FROM unnest(@b, @n) ON CONFLICT DO NOTHING";

    /// <summary>Parameters <c>a</c> (aggregate builds) and <c>c</c> (their constituent builds).</summary>
    public const string InsertConstituents =
        "INSERT INTO aggregate_constituents (aggregate_id, constituent_id) SELECT * FROM unnest(@a, @c) ON CONFLICT DO NOTHING";

    /// <summary>
    /// Pending steps whose derivation is in the failure cache are not built: they fail at once as cached failures
    /// (step status 8), their dependents as dependency failed, and the builds waiting on them finish as cached
    /// builds with Hydra's codes: failed (1) for the derivation's own builds, dependency failed (2) for the rest.
    /// </summary>
    /// <remarks>Parameters <c>ids</c> (steps found in the failure cache, see <see cref="FindFailureCached"/>) and <c>now</c>.</remarks>
    public static readonly string FailCached =
        $"""
        WITH RECURSIVE cached AS (
            UPDATE steps s SET state = 4, status = {BuildStatus.CachedFailure}, finished_at = @now,
                error_message = 'cached failure: this derivation failed before; clear the failure cache to build it again'
            FROM failed_derivations f
            WHERE s.id = ANY(@ids) AND s.state = 0 AND f.drv_path = s.drv_path
            RETURNING s.id
        ), dependents(id) AS (
            SELECT e.step_id FROM step_dependencies e JOIN cached c ON e.depends_on_id = c.id
            UNION
            SELECT e.step_id FROM step_dependencies e JOIN dependents x ON e.depends_on_id = x.id
        ), dependency_failed AS (
            UPDATE steps SET state = 4, status = {BuildStatus.DependencyFailed}, finished_at = @now
            WHERE id IN (SELECT id FROM dependents) AND state < 3
        ), failing(id, own) AS (
            SELECT id, bool_or(own) FROM (SELECT id, true AS own FROM cached UNION ALL SELECT id, false FROM dependents) f GROUP BY id
        )
        UPDATE builds b
        SET finished = true, is_cached_build = true, start_time = @now, stop_time = @now,
            build_status = CASE WHEN f.own THEN {BuildStatus.Failed} ELSE {BuildStatus.DependencyFailed} END
        FROM failing f
        WHERE b.top_step_id = f.id AND NOT b.finished
        """;

    /// <summary>
    /// Pending steps (of parameter <c>ids</c>) whose derivation is in the failure cache. Usually there is none: one index
    /// look-up per id finds the few, and <see cref="FailCached"/> (which propagates) runs only for them.
    /// </summary>
    public const string FindFailureCached =
        """
        SELECT s.id FROM unnest(@ids) AS i(id) JOIN steps s ON s.id = i.id
        WHERE s.state = 0 AND EXISTS (SELECT 1 FROM failed_derivations f WHERE f.drv_path = s.drv_path)
        """;

    /// <summary>
    /// New steps (parameter <c>ids</c>) whose dependencies have all succeeded become runnable, except those in the
    /// failure cache (<see cref="FailCached"/> fails them; their dependents wait on them, so none of those is promoted).
    /// </summary>
    public const string PromoteRunnable =
        """
        UPDATE steps d SET state = 1
        FROM unnest(@ids) AS i(id)
        WHERE d.id = i.id AND d.state = 0 AND NOT EXISTS (
            SELECT 1 FROM step_dependencies e JOIN steps x ON x.id = e.depends_on_id
            WHERE e.step_id = d.id AND x.state <> 3)
          AND NOT EXISTS (SELECT 1 FROM failed_derivations f WHERE f.drv_path = d.drv_path)
        """;

    /// <summary>
    /// Runs <paramref name="statements"/> in one round trip (an <see cref="NpgsqlBatch"/>; under load every round trip
    /// waits for the server to be scheduled) and returns, for each statement that returns rows, the first column of its rows.
    /// </summary>
    public async Task<List<List<long>>> BatchAsync(IEnumerable<(string Sql, (string Name, object? Value)[] Parameters)> statements, CancellationToken cancellationToken)
    {
        await using var batch = new NpgsqlBatch(connection);
        foreach (var (text, parameters) in statements)
        {
            var command = new NpgsqlBatchCommand(text);
            foreach (var (name, value) in parameters)
            {
                command.Parameters.AddWithValue(name, value ?? DBNull.Value);
            }
            batch.BatchCommands.Add(command);
        }
        var results = new List<List<long>>();
        await using var reader = await batch.ExecuteReaderAsync(cancellationToken);
        do
        {
            if (reader.FieldCount == 0)
            {
                continue;
            }
            var rows = new List<long>();
            while (await reader.ReadAsync(cancellationToken))
            {
                rows.Add(reader.GetInt64(0));
            }
            results.Add(rows);
        }
        while (await reader.NextResultAsync(cancellationToken));
        return results;
    }

    /// <summary>The newest build of each job of the jobset, to reuse when its derivation is unchanged.</summary>
    public async Task<Dictionary<string, (long Id, string DrvPath)>> LatestBuildsAsync(long jobsetId, CancellationToken cancellationToken)
    {
        await using var command = Command("SELECT DISTINCT ON (job) job, id, drv_path FROM builds WHERE jobset_id = @j ORDER BY job, id DESC", ("j", jobsetId));
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var result = new Dictionary<string, (long, string)>(StringComparer.Ordinal);
        while (await reader.ReadAsync(cancellationToken))
        {
            result[reader.GetString(0)] = (reader.GetInt64(1), reader.GetString(2));
        }
        return result;
    }

    public async Task<long[]> ReadIdsAsync(string sql, CancellationToken cancellationToken, params (string Name, object? Value)[] parameters)
    {
        await using var command = Command(sql, parameters);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var ids = new List<long>();
        while (await reader.ReadAsync(cancellationToken))
        {
            ids.Add(reader.GetInt64(0));
        }
        return [.. ids];
    }

    public async Task<int> ExecuteAsync(string sql, CancellationToken cancellationToken, params (string Name, object? Value)[] parameters)
    {
        await using var command = Command(sql, parameters);
        return await command.ExecuteNonQueryAsync(cancellationToken);
    }

    public async Task<T> ScalarAsync<T>(string sql, CancellationToken cancellationToken, params (string Name, object? Value)[] parameters)
    {
        await using var command = Command(sql, parameters);
        var value = await command.ExecuteScalarAsync(cancellationToken);
        return value is null or DBNull ? default! : (T)value;
    }

    private static async Task ReadPairsAsync(NpgsqlCommand command, Action<string, long> row, CancellationToken cancellationToken)
    {
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            row(reader.GetString(0), reader.GetInt64(1));
        }
    }

    private NpgsqlCommand Command(string sql, params (string Name, object? Value)[] parameters)
    {
        var command = new NpgsqlCommand(sql, connection);
        foreach (var (name, value) in parameters)
        {
            command.Parameters.AddWithValue(name, value ?? DBNull.Value);
        }
        return command;
    }
}
