using Hydra.Evaluator.Nix;
using Npgsql;

namespace Hydra.Evaluator.Ingestion;

/// <summary>
/// The evaluation's last, short transaction: the evaluation row with its inputs, errors, members
/// and aggregate constituents, and the promotion of its new steps. Only after this commit does an
/// evaluation list the new builds and can their steps be claimed.
/// </summary>
internal sealed class EvaluationFinalizer(IngestionSql sql, NpgsqlConnection connection, IngestionOptions options)
{
    public Task<long> FinalizeAsync(
        long jobsetId, EvaluationRecord record, IReadOnlyList<JobError> errors, IReadOnlyList<(EvaluatedJob Job, long BuildId, bool IsNew)> members,
        IReadOnlyList<long> neededSteps, DateTimeOffset now, CancellationToken cancellationToken) =>
        Deadlocks.RetryAsync(options.MaxTries, async () =>
        {
            await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
            var results = await sql.BatchAsync(Statements(jobsetId, record, errors, members, neededSteps, now), cancellationToken);
            var cached = results.Skip(1).SelectMany(ids => ids).ToArray();
            foreach (var chunk in cached.Chunk(Math.Max(1, options.StatementRows)))
            {
                await sql.ExecuteAsync(IngestionSql.FailCached, cancellationToken, ("ids", chunk), ("now", now));
            }
            await transaction.CommitAsync(cancellationToken);
            return results[0].Single();
        });

    /// <summary>
    /// The transaction's statements, sent in one round trip: the evaluation row first (its id is the batch's first result,
    /// and the later statements find it through the sequence), then its inputs, errors, members and constituents, the
    /// promotion of the new steps, and last the look-up of those in the failure cache (the only other results; usually
    /// none, else a second statement fails them).
    /// </summary>
    private IEnumerable<(string, (string, object?)[])> Statements(
        long jobsetId, EvaluationRecord record, IReadOnlyList<JobError> errors, IReadOnlyList<(EvaluatedJob Job, long BuildId, bool IsNew)> members,
        IReadOnlyList<long> neededSteps, DateTimeOffset now)
    {
        // Compared with the jobset's previous evaluation: a changed job count is news even without new builds.
        yield return (
            """
            INSERT INTO evaluations (jobset_id, created_at, checkout_seconds, eval_seconds, inputs_hash, nix_expr_input, nix_expr_path,
                                     nr_errors, nr_builds, has_new_builds, flake)
            VALUES (@jobset, @now, @checkout, @eval, @hash, @input, @path, @errors, @builds,
                    @hasNew OR (SELECT nr_builds FROM evaluations WHERE jobset_id = @jobset ORDER BY id DESC LIMIT 1) IS DISTINCT FROM @builds,
                    @flake)
            RETURNING id
            """,
            [("jobset", jobsetId), ("now", now), ("checkout", record.CheckoutSeconds), ("eval", record.EvalSeconds),
             ("hash", record.InputsHash), ("input", record.NixExprInput), ("path", record.NixExprPath), ("errors", errors.Count),
             ("builds", members.Count), ("hasNew", members.Any(m => m.IsNew)), ("flake", record.Flake)]);
        yield return (
            """
            INSERT INTO evaluation_inputs (evaluation_id, name, type, uri, revision, value, path)
            SELECT currval(pg_get_serial_sequence('evaluations', 'id')), * FROM unnest(@n, @t, @u, @r, @v, @p)
            """,
            [("n", record.Inputs.Select(i => i.Name).ToArray()), ("t", record.Inputs.Select(i => i.Type).ToArray()),
             ("u", record.Inputs.Select(i => i.Uri).ToArray()), ("r", record.Inputs.Select(i => i.Revision).ToArray()),
             ("v", record.Inputs.Select(i => i.Value).ToArray()), ("p", record.Inputs.Select(i => i.Path).ToArray())]);
        yield return (
            """
            INSERT INTO evaluation_errors (evaluation_id, job, message)
            SELECT currval(pg_get_serial_sequence('evaluations', 'id')), * FROM unnest(@j, @m) ON CONFLICT DO NOTHING
            """,
            [("j", errors.Select(e => e.Name).ToArray()), ("m", errors.Select(e => e.Message).ToArray())]);

        var rows = Math.Max(1, options.StatementRows);
        foreach (var chunk in members.Chunk(rows))
        {
            yield return (IngestionSql.InsertMembers, [("b", chunk.Select(m => m.BuildId).ToArray()), ("n", chunk.Select(m => m.IsNew).ToArray())]);
        }
        var (aggregates, constituents) = Constituents(members);
        foreach (var chunk in aggregates.Zip(constituents).Chunk(rows))
        {
            yield return (IngestionSql.InsertConstituents, [("a", chunk.Select(c => c.First).ToArray()), ("c", chunk.Select(c => c.Second).ToArray())]);
        }
        var steps = neededSteps.Order().ToArray();
        foreach (var chunk in steps.Chunk(rows))
        {
            yield return (IngestionSql.PromoteRunnable, [("ids", chunk)]);
        }
        foreach (var chunk in steps.Chunk(rows))
        {
            yield return (IngestionSql.FindFailureCached, [("ids", chunk)]);
        }
        if (steps.Length > 0)
        {
            // NOTIFY rather than pg_notify(): it returns no row, so the batch's results stay the evaluation id and the look-ups.
            yield return ("NOTIFY hydra_steps_runnable", []);
        }
    }

    /// <summary>Aggregate build to constituent build, by job name within this evaluation; unknown names (failed jobs) are left out.</summary>
    private static (List<long> Aggregates, List<long> Constituents) Constituents(IReadOnlyList<(EvaluatedJob Job, long BuildId, bool IsNew)> members)
    {
        List<long> aggregates = [], constituents = [];
        Dictionary<string, long>? byName = null;
        foreach (var (job, buildId, _) in members)
        {
            if (job.Constituents is not { Count: > 0 } names)
            {
                continue;
            }
            byName ??= members.GroupBy(m => m.Job.Name, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.First().BuildId, StringComparer.Ordinal);
            foreach (var name in names.Distinct(StringComparer.Ordinal))
            {
                if (byName.TryGetValue(name, out var constituent) && constituent != buildId)
                {
                    aggregates.Add(buildId);
                    constituents.Add(constituent);
                }
            }
        }
        return (aggregates, constituents);
    }
}
