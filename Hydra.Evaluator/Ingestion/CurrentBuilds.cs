namespace Hydra.Evaluator.Ingestion;

/// <summary>
/// Moves <c>builds.is_current</c> to an evaluation's builds: the members become current, the
/// jobset's other builds stop being current. Hydra did this inside the evaluation's transaction and
/// held row locks on the whole jobset for minutes; here each id-ordered batch is its own statement.
/// Between batches a job may briefly have two current builds or none; the next batch fixes it.
/// </summary>
internal sealed class CurrentBuilds(IngestionSql sql, IngestionOptions options)
{
    public async Task MoveToAsync(long jobsetId, long evaluationId, IEnumerable<long> memberBuilds, CancellationToken cancellationToken)
    {
        var rows = Math.Max(1, options.StatementRows);
        foreach (var chunk in memberBuilds.Distinct().Order().Chunk(rows))
        {
            await Deadlocks.RetryAsync(options.MaxTries, () => sql.ExecuteAsync(
                "UPDATE builds SET is_current = true WHERE id = ANY(@ids) AND NOT is_current", cancellationToken, ("ids", chunk)));
        }
        var stale = await sql.ReadIdsAsync(
            """
            SELECT b.id FROM builds b
            WHERE b.jobset_id = @j AND b.is_current
              AND NOT EXISTS (SELECT 1 FROM evaluation_members m WHERE m.evaluation_id = @e AND m.build_id = b.id)
            ORDER BY b.id
            """, cancellationToken, ("j", jobsetId), ("e", evaluationId));
        foreach (var chunk in stale.Chunk(rows))
        {
            await Deadlocks.RetryAsync(options.MaxTries, () => sql.ExecuteAsync(
                "UPDATE builds SET is_current = false WHERE id = ANY(@ids) AND is_current", cancellationToken, ("ids", chunk)));
        }
    }
}
