using Hydra.Core;
using Hydra.Queue.Completion;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace Hydra.Queue.Operations;

/// <summary>
/// Hydra's restart: a finished build that did not succeed becomes unfinished again and its graph is queued
/// anew. Every derivation of the graph whose step failed or was cancelled gets a fresh step (or shares the
/// unfinished step another build already queued for it); steps that succeeded, and unfinished ones, are
/// kept. The old steps stay as they were, with their attempts and logs, so the build page shows the
/// history; the derivations leave the failure cache.
/// </summary>
/// <remarks>
/// One transaction with the builds locked. A fresh step copies its template's columns (system, outputs,
/// features, priorities, critical path, share bucket) and its dependencies, each pointed at the fresh or
/// kept step of the same derivation. Fresh steps start pending and those whose dependencies all succeeded
/// become runnable at once; a dependency that fails meanwhile is caught by the repair sweep, as for
/// ingestion.
/// </remarks>
public sealed partial class BuildRestarts(NpgsqlDataSource dataSource, TimeProvider clock, ILogger<BuildRestarts> logger)
{
    /// <summary>
    /// Whether a build can be restarted: finished, and not a success. "Failed with output" (6) is not either: its
    /// outputs are in the cache, so the queue would find nothing to build.
    /// </summary>
    public static bool IsRestartable(bool finished, int? status) =>
        finished && status is not null and not BuildStatus.Succeeded and not BuildStatus.FailedWithOutput;

    private static readonly string RestartableSql =
        $"b.finished AND b.build_status NOT IN ({BuildStatus.Succeeded}, {BuildStatus.FailedWithOutput}) AND b.top_step_id IS NOT NULL";

    /// <summary>Restarts the given builds that can be restarted; returns how many were.</summary>
    public async Task<int> RestartAsync(IReadOnlyCollection<long> buildIds, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        var sql = new OperationSql(connection, transaction);

        var builds = new Dictionary<long, (long Jobset, string TopDrv, long TopStep)>();
        await sql.ReadAsync(
            $"""
             SELECT b.id, b.jobset_id, t.drv_path, t.id FROM builds b JOIN steps t ON t.id = b.top_step_id
             WHERE b.id = ANY(@ids) AND {RestartableSql}
             ORDER BY b.id FOR UPDATE OF b
             """,
            r => builds[r.GetInt64(0)] = (r.GetInt64(1), r.GetString(2), r.GetInt64(3)), cancellationToken, ("ids", buildIds.ToArray()));
        if (builds.Count == 0)
        {
            return 0;
        }
        var ids = builds.Keys.ToArray();

        // The newest step of each derivation in each build's graph is where that derivation stands for the build.
        var current = new List<(long Build, string Drv, long Step, bool Ended)>();
        await sql.ReadAsync(
            """
            SELECT DISTINCT ON (bs.build_id, s.drv_path) bs.build_id, s.drv_path, s.id, s.state IN (4, 5)
            FROM build_steps bs JOIN steps s ON s.id = bs.step_id
            WHERE bs.build_id = ANY(@ids)
            ORDER BY bs.build_id, s.drv_path, s.id DESC
            """,
            r => current.Add((r.GetInt64(0), r.GetString(1), r.GetInt64(2), r.GetBoolean(3))), cancellationToken, ("ids", ids));
        var templates = current.Where(c => c.Ended).GroupBy(c => c.Drv, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.Max(c => c.Step), StringComparer.Ordinal);
        var (fresh, created) = await QueueAgainAsync(sql, templates, now, cancellationToken);
        var kept = current.Where(c => !c.Ended).GroupBy(c => c.Drv, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.Max(c => c.Step), StringComparer.Ordinal);
        await LinkDependenciesAsync(sql, templates, fresh, created, kept, cancellationToken);

        var requeued = current.Where(c => c.Ended).ToList();
        await sql.ExecuteAsync(
            """
            INSERT INTO build_steps (build_id, step_id) SELECT * FROM unnest(@b, @s) ON CONFLICT DO NOTHING;
            INSERT INTO step_jobsets (step_id, jobset_id) SELECT * FROM unnest(@s, @j) ON CONFLICT DO NOTHING;
            """,
            cancellationToken, ("b", requeued.Select(c => c.Build).ToArray()), ("s", requeued.Select(c => fresh[c.Drv]).ToArray()),
            ("j", requeued.Select(c => builds[c.Build].Jobset).ToArray()));

        // A cancelled build's top step may have gone on for another build and succeeded meanwhile: that build is done.
        await sql.ExecuteAsync(
            """
            UPDATE builds b SET finished = false, build_status = NULL, is_cached_build = false, start_time = NULL, stop_time = NULL, top_step_id = v.top
            FROM unnest(@ids, @tops) AS v(id, top)
            WHERE b.id = v.id;
            UPDATE builds b SET finished = true, build_status = COALESCE(s.status, 0), start_time = @now, stop_time = @now
            FROM steps s
            WHERE b.id = ANY(@ids) AND s.id = b.top_step_id AND s.state = 3;
            DELETE FROM failed_derivations WHERE drv_path = ANY(@drvs);
            UPDATE steps d SET state = 1
            WHERE d.id = ANY(@created) AND d.state = 0 AND NOT EXISTS (
                SELECT 1 FROM step_dependencies e JOIN steps x ON x.id = e.depends_on_id
                WHERE e.step_id = d.id AND x.state <> 3);
            """,
            cancellationToken, ("ids", ids), ("tops", ids.Select(id => StepFor(builds[id].TopDrv, fresh, kept) ?? builds[id].TopStep).ToArray()),
            ("now", now), ("drvs", templates.Keys.ToArray()), ("created", created.Values.ToArray()));
        await StepTransitions.NotifyRunnableAsync(connection, transaction, cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        LogRestarted(string.Join(", ", ids), templates.Count, created.Count);
        return ids.Length;
    }

    /// <summary>Restarts an evaluation's failed builds, or only its aborted ones; returns how many.</summary>
    public async Task<int> RestartEvaluationAsync(long evaluationId, RestartScope scope, CancellationToken cancellationToken)
    {
        var condition = scope == RestartScope.Aborted
            ? $"{RestartableSql} AND b.build_status IN ({BuildStatus.Aborted}, {BuildStatus.Cancelled}, {BuildStatus.UnsupportedSystem})"
            : RestartableSql;
        var builds = await EvaluationBuilds.SelectAsync(dataSource, evaluationId, condition, cancellationToken);
        return builds.Length == 0 ? 0 : await RestartAsync(builds, cancellationToken);
    }

    /// <summary>
    /// An unfinished step for each derivation of <paramref name="templates"/>: a new pending copy of the
    /// template, or the one some evaluation queued meanwhile. Returns every derivation's step, and the ones made here.
    /// </summary>
    private static async Task<(Dictionary<string, long> Fresh, Dictionary<string, long> Created)> QueueAgainAsync(
        OperationSql sql, Dictionary<string, long> templates, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var fresh = new Dictionary<string, long>(StringComparer.Ordinal);
        var created = new Dictionary<string, long>(StringComparer.Ordinal);
        var missing = templates.Keys.Order(StringComparer.Ordinal).ToList();
        // An existing unfinished step can finish between the insert and the look-up; then the next round inserts.
        for (var round = 0; missing.Count > 0; round++)
        {
            if (round == 3)
            {
                throw new InvalidOperationException($"Steps for {missing.Count} derivations keep finishing while being restarted; try again.");
            }
            await sql.ReadAsync(
                """
                INSERT INTO steps (drv_path, system, output_paths, required_features, prefer_local_build, local_priority, global_priority,
                                   critical_path, share_bucket, state, created_at)
                SELECT drv_path, system, output_paths, required_features, prefer_local_build, local_priority, global_priority,
                       critical_path, share_bucket, 0, @now
                FROM steps WHERE id = ANY(@templates) ORDER BY drv_path
                ON CONFLICT (drv_path) WHERE state < 3 DO NOTHING
                RETURNING drv_path, id
                """,
                r => fresh[r.GetString(0)] = created[r.GetString(0)] = r.GetInt64(1), cancellationToken,
                ("templates", missing.Select(d => templates[d]).ToArray()), ("now", now));
            await sql.ReadAsync(
                "SELECT drv_path, id FROM steps WHERE drv_path = ANY(@drvs) AND state < 3",
                r => fresh.TryAdd(r.GetString(0), r.GetInt64(1)), cancellationToken,
                ("drvs", missing.Where(d => !fresh.ContainsKey(d)).ToArray()));
            missing = missing.Where(d => !fresh.ContainsKey(d)).ToList();
        }
        return (fresh, created);
    }

    /// <summary>
    /// Gives each step made here its template's dependencies, each pointed at the step that now stands for the
    /// dependency's derivation: its fresh step when it was queued again, else the kept (succeeded or unfinished) one.
    /// </summary>
    private static async Task LinkDependenciesAsync(
        OperationSql sql, Dictionary<string, long> templates, Dictionary<string, long> fresh, Dictionary<string, long> created,
        Dictionary<string, long> kept, CancellationToken cancellationToken)
    {
        var templateOf = created.ToDictionary(c => templates[c.Key], c => c.Value);
        var steps = new List<long>();
        var dependencies = new List<long>();
        await sql.ReadAsync(
            """
            SELECT e.step_id, e.depends_on_id, d.drv_path FROM step_dependencies e JOIN steps d ON d.id = e.depends_on_id
            WHERE e.step_id = ANY(@templates)
            """,
            r =>
            {
                steps.Add(templateOf[r.GetInt64(0)]);
                dependencies.Add(StepFor(r.GetString(2), fresh, kept) ?? r.GetInt64(1));
            },
            cancellationToken, ("templates", templateOf.Keys.ToArray()));
        await sql.ExecuteAsync(
            "INSERT INTO step_dependencies (step_id, depends_on_id) SELECT * FROM unnest(@s, @d) ON CONFLICT DO NOTHING",
            cancellationToken, ("s", steps.ToArray()), ("d", dependencies.ToArray()));
    }

    /// <summary>The step that stands for a derivation after the restart: its fresh step, else the kept one.</summary>
    private static long? StepFor(string drv, Dictionary<string, long> fresh, Dictionary<string, long> kept) =>
        fresh.TryGetValue(drv, out var again) ? again : kept.TryGetValue(drv, out var step) ? step : null;

    [LoggerMessage(EventId = 2402, Level = LogLevel.Information, Message = "Restarted build(s) {Builds}: {Derivations} derivation(s) queued again, {Created} new step(s)")]
    private partial void LogRestarted(string builds, int derivations, int created);
}
