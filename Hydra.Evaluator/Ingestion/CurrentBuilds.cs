namespace Hydra.Evaluator.Ingestion;

/// <summary>
/// Moves <c>builds.is_current</c> to an evaluation's builds: the members become current, the
/// jobset's other builds stop being current. Hydra did this inside the evaluation's transaction and
/// held row locks on the whole jobset for minutes; here each id-ordered batch is its own statement.
/// Between batches a job may briefly have two current builds or none; the next batch fixes it.
/// Ids are joined through <c>unnest</c>, so each row is one primary-key look-up whatever the table's size.
/// </summary>
internal sealed class CurrentBuilds(IngestionSql sql, IngestionOptions options)
{
    public async Task MoveToAsync(long jobsetId, IEnumerable<long> memberBuilds, CancellationToken cancellationToken)
    {
        var rows = Math.Max(1, options.StatementRows);
        var members = memberBuilds.ToHashSet();
        foreach (var chunk in members.Order().Chunk(rows))
        {
            await Deadlocks.RetryAsync(options.MaxTries, () => sql.ExecuteAsync(
                "UPDATE builds b SET is_current = true FROM unnest(@ids) AS i(id) WHERE b.id = i.id AND NOT b.is_current", cancellationToken, ("ids", chunk)));
        }
        // The difference is taken here rather than with NOT EXISTS in SQL: right after ingestion the
        // planner's statistics still describe an empty evaluation, and its nested loop took seconds.
        var current = await sql.ReadIdsAsync("SELECT id FROM builds WHERE jobset_id = @j AND is_current ORDER BY id", cancellationToken, ("j", jobsetId));
        var stale = current.Where(id => !members.Contains(id)).ToList();
        foreach (var chunk in stale.Chunk(rows))
        {
            await Deadlocks.RetryAsync(options.MaxTries, () => sql.ExecuteAsync(
                "UPDATE builds b SET is_current = false FROM unnest(@ids) AS i(id) WHERE b.id = i.id AND b.is_current", cancellationToken, ("ids", chunk)));
        }
    }
}
