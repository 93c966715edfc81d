using Hydra.Core.Nix;
using Hydra.Evaluator.Nix;
using Npgsql;

namespace Hydra.Evaluator.Ingestion;

/// <summary>The statements ingestion runs, on one connection and transaction.</summary>
internal sealed class IngestionSql(NpgsqlConnection connection, NpgsqlTransaction transaction)
{
    public async Task ExecuteAsync(string sql, CancellationToken cancellationToken, params (string Name, object? Value)[] parameters)
    {
        await using var command = Command(sql, parameters);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    public async Task<T> ScalarAsync<T>(string sql, CancellationToken cancellationToken, params (string Name, object? Value)[] parameters)
    {
        await using var command = Command(sql, parameters);
        var value = await command.ExecuteScalarAsync(cancellationToken);
        return value is null or DBNull ? default! : (T)value;
    }

    /// <summary>
    /// The unfinished step for <paramref name="drvPath"/>, created when there is none. A concurrent
    /// evaluation may insert the same derivation first; the unique index on unfinished steps makes
    /// ours a no-op, and the second look (a fresh snapshot) finds theirs.
    /// </summary>
    public async Task<(long Id, bool Created)> UpsertStepAsync(string drvPath, Derivation derivation, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var inserted = await ScalarAsync<long?>(
            """
            INSERT INTO steps (drv_path, system, output_paths, required_features, state, created_at)
            VALUES (@drv, @system, @outputs, @features, 0, @now)
            ON CONFLICT (drv_path) WHERE state < 3 DO NOTHING
            RETURNING id
            """, cancellationToken,
            ("drv", drvPath), ("system", derivation.System), ("outputs", derivation.OutputPaths.ToArray()),
            ("features", derivation.RequiredSystemFeatures.ToArray()), ("now", now));
        if (inserted is { } id)
        {
            return (id, true);
        }
        var existing = await ScalarAsync<long?>("SELECT id FROM steps WHERE drv_path = @drv AND state < 3", cancellationToken, ("drv", drvPath));
        return existing is { } found
            ? (found, false)
            : throw new InvalidOperationException($"Step for {drvPath} conflicted but cannot be found; retry the evaluation.");
    }

    public async Task<long> InsertBuildAsync(long jobsetId, EvaluatedJob job, long? topStep, DateTimeOffset now, CancellationToken cancellationToken)
    {
        // A job with nothing to build (all outputs already in the cache) finishes at once as a cached success.
        var cached = topStep is null;
        var id = await ScalarAsync<long>(
            """
            INSERT INTO builds (jobset_id, job, nix_name, description, drv_path, system, top_step_id, finished, build_status,
                                is_cached_build, queued_at, start_time, stop_time)
            VALUES (@jobset, @job, @name, @description, @drv, @system, @top, @cached, @status, @cached, @now, @stamp, @stamp)
            RETURNING id
            """, cancellationToken,
            ("jobset", jobsetId), ("job", job.Name), ("name", job.NixName), ("description", job.Description), ("drv", job.DrvPath),
            ("system", job.System), ("top", topStep), ("cached", cached), ("status", cached ? 0 : null), ("now", now), ("stamp", cached ? now : null));
        foreach (var (name, path) in job.Outputs)
        {
            await ExecuteAsync("INSERT INTO build_outputs (build_id, name, path) VALUES (@b, @n, @p)", cancellationToken, ("b", id), ("n", name), ("p", path));
        }
        return id;
    }

    /// <summary>The newest build of each job of the jobset, to reuse when its derivation is unchanged.</summary>
    public async Task<Dictionary<string, (long Id, string DrvPath)>> LatestBuildsAsync(long jobsetId, CancellationToken cancellationToken)
    {
        await using var command = Command("SELECT DISTINCT ON (job) job, id, drv_path FROM builds WHERE jobset_id = @j ORDER BY job, id DESC", [("j", jobsetId)]);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var result = new Dictionary<string, (long, string)>(StringComparer.Ordinal);
        while (await reader.ReadAsync(cancellationToken))
        {
            result[reader.GetString(0)] = (reader.GetInt64(1), reader.GetString(2));
        }
        return result;
    }

    /// <summary>New steps whose dependencies are all built become runnable; claimers are woken.</summary>
    public Task PromoteRunnableAsync(List<long> steps, CancellationToken cancellationToken) => ExecuteAsync(
        """
        UPDATE steps d SET state = 1
        WHERE d.id = ANY(@ids) AND d.state = 0 AND NOT EXISTS (
            SELECT 1 FROM step_dependencies e JOIN steps x ON x.id = e.depends_on_id
            WHERE e.step_id = d.id AND x.state <> 3);
        SELECT pg_notify('hydra_steps_runnable', '');
        """, cancellationToken, ("ids", steps.ToArray()));

    private NpgsqlCommand Command(string sql, (string Name, object? Value)[] parameters)
    {
        var command = new NpgsqlCommand(sql, connection, transaction);
        foreach (var (name, value) in parameters)
        {
            command.Parameters.AddWithValue(name, value ?? DBNull.Value);
        }
        return command;
    }
}
