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
            // Compared with the jobset's previous evaluation: a changed job count is news even without new builds.
            var previousCount = await sql.ScalarAsync<int?>(
                "SELECT nr_builds FROM evaluations WHERE jobset_id = @j ORDER BY id DESC LIMIT 1", cancellationToken, ("j", jobsetId));
            var newBuilds = members.Count(m => m.IsNew);
            var evaluationId = await sql.ScalarAsync<long>(
                """
                INSERT INTO evaluations (jobset_id, created_at, checkout_seconds, eval_seconds, inputs_hash, nix_expr_input, nix_expr_path,
                                         nr_errors, nr_builds, has_new_builds, flake)
                VALUES (@jobset, @now, @checkout, @eval, @hash, @input, @path, @errors, @builds, @hasNew, @flake) RETURNING id
                """, cancellationToken,
                ("jobset", jobsetId), ("now", now), ("checkout", record.CheckoutSeconds), ("eval", record.EvalSeconds),
                ("hash", record.InputsHash), ("input", record.NixExprInput), ("path", record.NixExprPath), ("errors", errors.Count),
                ("builds", members.Count), ("hasNew", newBuilds > 0 || previousCount != members.Count), ("flake", record.Flake));
            await sql.ExecuteAsync(
                """
                INSERT INTO evaluation_inputs (evaluation_id, name, type, uri, revision, value, path)
                SELECT @e, * FROM unnest(@n, @t, @u, @r, @v, @p)
                """, cancellationToken, ("e", evaluationId),
                ("n", record.Inputs.Select(i => i.Name).ToArray()), ("t", record.Inputs.Select(i => i.Type).ToArray()),
                ("u", record.Inputs.Select(i => i.Uri).ToArray()), ("r", record.Inputs.Select(i => i.Revision).ToArray()),
                ("v", record.Inputs.Select(i => i.Value).ToArray()), ("p", record.Inputs.Select(i => i.Path).ToArray()));
            await sql.ExecuteAsync(
                "INSERT INTO evaluation_errors (evaluation_id, job, message) SELECT @e, * FROM unnest(@j, @m) ON CONFLICT DO NOTHING",
                cancellationToken, ("e", evaluationId),
                ("j", errors.Select(e => e.Name).ToArray()), ("m", errors.Select(e => e.Message).ToArray()));

            var rows = Math.Max(1, options.StatementRows);
            foreach (var chunk in members.Chunk(rows))
            {
                await sql.InsertMembersAsync(evaluationId, chunk.Select(m => m.BuildId).ToArray(), chunk.Select(m => m.IsNew).ToArray(), cancellationToken);
            }
            var (aggregates, constituents) = Constituents(members);
            foreach (var chunk in aggregates.Zip(constituents).Chunk(rows))
            {
                await sql.InsertConstituentsAsync(chunk.Select(c => c.First).ToArray(), chunk.Select(c => c.Second).ToArray(), cancellationToken);
            }
            // Usually none of the new steps is in the failure cache: find the few that are with index
            // look-ups first, and run the propagating statement only for them.
            var cached = new List<long>();
            foreach (var chunk in neededSteps.Order().Chunk(rows))
            {
                cached.AddRange(await sql.ReadIdsAsync(
                    """
                    SELECT s.id FROM unnest(@ids) AS i(id) JOIN steps s ON s.id = i.id
                    WHERE s.state = 0 AND EXISTS (SELECT 1 FROM failed_derivations f WHERE f.drv_path = s.drv_path)
                    """, cancellationToken, ("ids", chunk)));
            }
            foreach (var chunk in cached.Chunk(rows))
            {
                await sql.FailCachedAsync(chunk, now, cancellationToken);
            }
            foreach (var chunk in neededSteps.Order().Chunk(rows))
            {
                await sql.PromoteRunnableAsync(chunk, cancellationToken);
            }
            if (neededSteps.Count > 0)
            {
                await sql.ExecuteAsync("SELECT pg_notify('hydra_steps_runnable', '')", cancellationToken);
            }
            await transaction.CommitAsync(cancellationToken);
            return evaluationId;
        });

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
