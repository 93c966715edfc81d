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
/// Usage is compared in buckets of about 10 % (<c>floor(log1.1(1 + share used))</c>, see the 0008
/// migration): a jobset's steps are rewritten only when its bucket moves, not on every refresh of a
/// slowly sliding window. Rewrites go in short id-ordered chunks, so claims (which skip locked rows)
/// are held up by at most one chunk.
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
        ), bucketed AS (
            SELECT f.*, floor(ln(1 + f.share_used) / ln(1.1))::int AS share_bucket FROM fresh f
        ), saved AS (
            INSERT INTO jobset_shares (jobset_id, seconds, share_used, share_bucket, refreshed_at)
            SELECT jobset_id, seconds, share_used, share_bucket, @now FROM bucketed
            ON CONFLICT (jobset_id) DO UPDATE SET seconds = excluded.seconds, share_used = excluded.share_used,
                share_bucket = excluded.share_bucket, refreshed_at = excluded.refreshed_at
        )
        SELECT b.jobset_id FROM bucketed b LEFT JOIN jobset_shares old ON old.jobset_id = b.jobset_id
        WHERE b.share_bucket <> COALESCE(old.share_bucket, 0)
        """;

    // The lowest bucket among the jobsets needing each step.
    private const string LowestBucket =
        "SELECT min(COALESCE(js.share_bucket, 0)) FROM step_jobsets sj LEFT JOIN jobset_shares js ON js.jobset_id = sj.jobset_id WHERE sj.step_id = s.id";

    // Unfinished steps of the changed jobsets whose bucket is off.
    private const string StaleStepsSql =
        $"""
        SELECT s.id FROM steps s
        WHERE s.id IN (SELECT step_id FROM step_jobsets WHERE jobset_id = ANY(@changed)) AND s.state < 3
          AND s.share_bucket <> ({LowestBucket})
        ORDER BY s.id
        """;

    private const string MoveStepsSql =
        $"""
        UPDATE steps s SET share_bucket = ({LowestBucket})
        WHERE s.id = ANY(@ids) AND s.state < 3
        """;

    /// <summary>Recomputes every jobset's share and moves the steps of jobsets whose bucket changed. Returns the steps moved.</summary>
    public async Task<int> RefreshAsync(CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        var changed = new List<long>();
        await using (var usage = dataSource.CreateCommand(UsageSql))
        {
            usage.Parameters.AddWithValue("now", now);
            usage.Parameters.AddWithValue("since", now - options.Value.ShareWindow);
            await using var reader = await usage.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                changed.Add(reader.GetInt64(0));
            }
        }
        if (changed.Count == 0)
        {
            return 0;
        }

        var steps = new List<long>();
        await using (var select = dataSource.CreateCommand(StaleStepsSql))
        {
            select.Parameters.AddWithValue("changed", changed.ToArray());
            await using var reader = await select.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                steps.Add(reader.GetInt64(0));
            }
        }
        foreach (var chunk in steps.Chunk(ChunkSize))
        {
            await using var update = dataSource.CreateCommand(MoveStepsSql);
            update.Parameters.AddWithValue("ids", chunk);
            await update.ExecuteNonQueryAsync(cancellationToken);
        }
        return steps.Count;
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
}
