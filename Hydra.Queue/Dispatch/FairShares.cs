using Microsoft.Extensions.Options;
using Npgsql;

namespace Hydra.Queue.Dispatch;

/// <summary>
/// Fair shares across jobsets, as Hydra does them: a jobset's share used is the step time started in
/// the last 24 h (<see cref="QueueOptions.ShareWindow"/>) by steps it needs, divided by its
/// <c>scheduling_shares</c>; a step shared by several jobsets is charged to each and sorts by the
/// lowest of them. The claim must not scan history, so this runs periodically and leaves its answer in
/// <c>steps.share_bucket</c>, which the dispatch index orders by.
/// </summary>
/// <remarks>
/// Usage is compared in buckets of 25 % (<c>floor(log1.25(1 + share used))</c>, see the 0008
/// migration): a jobset's steps are rewritten only when its bucket moves, not on every refresh of a
/// sliding window. Rewrites go in short id-ordered chunks, so claims (which skip locked rows) are held
/// up by at most one chunk, and a jobset counts as applied only once all its steps are rewritten, so
/// a refresh that dies half way is finished by the next one.
/// </remarks>
public sealed class FairShares(NpgsqlDataSource dataSource, IOptions<QueueOptions> options, TimeProvider clock)
{
    private const int ChunkSize = 2000;

    private const string UsageSql =
        """
        WITH charged AS (
            SELECT sj.jobset_id,
                   sum(GREATEST(0, extract(epoch FROM COALESCE(a.finished_at, @now) - a.started_at)))::float8 AS seconds
            FROM step_attempts a JOIN step_jobsets sj ON sj.step_id = a.step_id
            WHERE a.started_at >= @since
            GROUP BY sj.jobset_id
        ), fresh AS (
            SELECT j.id AS jobset_id, COALESCE(c.seconds, 0) AS seconds, COALESCE(c.seconds, 0) / j.scheduling_shares AS share_used
            FROM jobsets j LEFT JOIN charged c ON c.jobset_id = j.id
        )
        INSERT INTO jobset_shares (jobset_id, seconds, share_used, share_bucket, refreshed_at)
        SELECT jobset_id, seconds, share_used, floor(ln(1 + share_used) / ln(1.25))::int, @now FROM fresh
        ON CONFLICT (jobset_id) DO UPDATE SET seconds = excluded.seconds, share_used = excluded.share_used,
            share_bucket = excluded.share_bucket, refreshed_at = excluded.refreshed_at
        """;

    // Unfinished steps of the changed jobsets whose bucket is not the lowest of their jobsets', set-based.
    private const string StaleStepsSql =
        """
        SELECT x.step_id FROM (
            SELECT sj.step_id, min(COALESCE(js.share_bucket, 0)) AS bucket
            FROM step_jobsets sj LEFT JOIN jobset_shares js ON js.jobset_id = sj.jobset_id
            WHERE sj.step_id IN (SELECT step_id FROM step_jobsets WHERE jobset_id = ANY(@changed))
            GROUP BY sj.step_id) x
        JOIN steps s ON s.id = x.step_id
        WHERE s.state < 3 AND s.share_bucket <> x.bucket
        ORDER BY x.step_id
        """;

    // Recomputed per row under its lock, so a jobset that started sharing the step meanwhile counts.
    private const string MoveStepsSql =
        """
        UPDATE steps s SET share_bucket = (
            SELECT min(COALESCE(js.share_bucket, 0)) FROM step_jobsets sj LEFT JOIN jobset_shares js ON js.jobset_id = sj.jobset_id
            WHERE sj.step_id = s.id)
        WHERE s.id = ANY(@ids) AND s.state < 3
        """;

    /// <summary>Recomputes every jobset's share and moves the steps of jobsets whose bucket changed. Returns the steps moved.</summary>
    public async Task<int> RefreshAsync(CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        await using (var usage = dataSource.CreateCommand(UsageSql))
        {
            usage.Parameters.AddWithValue("now", now);
            usage.Parameters.AddWithValue("since", now - options.Value.ShareWindow);
            await usage.ExecuteNonQueryAsync(cancellationToken);
        }
        List<long> jobsets = [];
        List<int> buckets = [];
        await ReadAsync("SELECT jobset_id, share_bucket FROM jobset_shares WHERE share_bucket <> applied_bucket", null, reader =>
        {
            jobsets.Add(reader.GetInt64(0));
            buckets.Add(reader.GetInt32(1));
        }, cancellationToken);
        if (jobsets.Count == 0)
        {
            return 0;
        }

        List<long> stale = [];
        await ReadAsync(StaleStepsSql, jobsets.ToArray(), reader => stale.Add(reader.GetInt64(0)), cancellationToken);
        foreach (var chunk in stale.Chunk(ChunkSize))
        {
            await using var update = dataSource.CreateCommand(MoveStepsSql);
            update.Parameters.AddWithValue("ids", chunk);
            await update.ExecuteNonQueryAsync(cancellationToken);
        }
        await using (var applied = dataSource.CreateCommand(
            "UPDATE jobset_shares js SET applied_bucket = v.bucket FROM unnest(@jobsets, @buckets) AS v(id, bucket) WHERE js.jobset_id = v.id"))
        {
            applied.Parameters.AddWithValue("jobsets", jobsets.ToArray());
            applied.Parameters.AddWithValue("buckets", buckets.ToArray());
            await applied.ExecuteNonQueryAsync(cancellationToken);
        }
        return stale.Count;
    }

    /// <summary>
    /// Forgets which jobsets needed steps that finished before the window: no attempt of theirs can
    /// count any more. Keeps <c>step_jobsets</c> about as large as the queue plus a day of history.
    /// </summary>
    public async Task<int> PruneAsync(CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand(
            "DELETE FROM step_jobsets sj USING steps s WHERE s.id = sj.step_id AND s.state >= 3 AND s.finished_at < @since");
        command.Parameters.AddWithValue("since", clock.GetUtcNow() - options.Value.ShareWindow);
        return await command.ExecuteNonQueryAsync(cancellationToken);
    }

    private async Task ReadAsync(string sql, long[]? changed, Action<NpgsqlDataReader> row, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand(sql);
        if (changed is not null)
        {
            command.Parameters.AddWithValue("changed", changed);
        }
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            row(reader);
        }
    }
}
