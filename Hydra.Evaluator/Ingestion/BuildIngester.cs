using Hydra.Evaluator.Nix;
using Npgsql;
using NpgsqlTypes;

namespace Hydra.Evaluator.Ingestion;

/// <summary>
/// Turns an evaluation into rows: the evaluation and its inputs and errors, one build per job
/// (reusing the jobset's previous build when the job's derivation did not change), and one step per
/// derivation to build, shared with any unfinished step for the same derivation. One transaction, so
/// an evaluation is recorded whole or not at all.
/// </summary>
public sealed class BuildIngester(NpgsqlDataSource dataSource, DrvCachePusher cache, TimeProvider clock)
{
    public async Task<IngestResult> IngestAsync(long jobsetId, EvaluationRecord record, JobsetEvaluation evaluation, CancellationToken cancellationToken)
    {
        var planner = new StepGraphPlanner(cache.CacheHas);
        foreach (var job in evaluation.Jobs)
        {
            await planner.AddAsync(job.DrvPath, cancellationToken);
        }
        var now = clock.GetUtcNow();

        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        var sql = new IngestionSql(connection, transaction);

        var evaluationId = await sql.ScalarAsync<long>(
            """
            INSERT INTO evaluations (jobset_id, created_at, checkout_seconds, eval_seconds, inputs_hash, nix_expr_input, nix_expr_path, nr_errors)
            VALUES (@jobset, @now, @checkout, @eval, @hash, @input, @path, @errors) RETURNING id
            """, cancellationToken,
            ("jobset", jobsetId), ("now", now), ("checkout", record.CheckoutSeconds), ("eval", record.EvalSeconds),
            ("hash", record.InputsHash), ("input", record.NixExprInput), ("path", record.NixExprPath), ("errors", evaluation.Errors.Count));
        foreach (var input in record.Inputs)
        {
            await sql.ExecuteAsync(
                "INSERT INTO evaluation_inputs (evaluation_id, name, type, uri, revision, value, path) VALUES (@e, @n, @t, @u, @r, @v, @p)",
                cancellationToken, ("e", evaluationId), ("n", input.Name), ("t", input.Type), ("u", input.Uri), ("r", input.Revision), ("v", input.Value), ("p", input.Path));
        }
        foreach (var error in evaluation.Errors)
        {
            await sql.ExecuteAsync("INSERT INTO evaluation_errors (evaluation_id, job, message) VALUES (@e, @j, @m)",
                cancellationToken, ("e", evaluationId), ("j", error.Name), ("m", error.Message));
        }

        // Steps, dependencies first, so every edge points at a step that exists.
        var stepIds = new Dictionary<string, long>(StringComparer.Ordinal);
        var newSteps = new List<long>();
        foreach (var drvPath in planner.Order)
        {
            var derivation = planner.DerivationOf(drvPath);
            var (id, created) = await sql.UpsertStepAsync(drvPath, derivation, now, cancellationToken);
            stepIds[drvPath] = id;
            if (created)
            {
                newSteps.Add(id);
                foreach (var dependency in planner.DependenciesOf(drvPath))
                {
                    await sql.ExecuteAsync("INSERT INTO step_dependencies (step_id, depends_on_id) VALUES (@s, @d) ON CONFLICT DO NOTHING",
                        cancellationToken, ("s", id), ("d", stepIds[dependency]));
                }
            }
        }

        var previous = await sql.LatestBuildsAsync(jobsetId, cancellationToken);
        int newBuilds = 0, reused = 0;
        foreach (var job in evaluation.Jobs)
        {
            long buildId;
            var isNew = !(previous.TryGetValue(job.Name, out var last) && last.DrvPath == job.DrvPath);
            if (isNew)
            {
                var top = stepIds.GetValueOrDefault(job.DrvPath);
                buildId = await sql.InsertBuildAsync(jobsetId, job, top == 0 ? null : top, now, cancellationToken);
                foreach (var drvPath in planner.ClosureOf(job.DrvPath))
                {
                    await sql.ExecuteAsync("INSERT INTO build_steps (build_id, step_id) VALUES (@b, @s) ON CONFLICT DO NOTHING",
                        cancellationToken, ("b", buildId), ("s", stepIds[drvPath]));
                }
                newBuilds++;
            }
            else
            {
                buildId = last.Id;
                reused++;
            }
            await sql.ExecuteAsync("INSERT INTO evaluation_members (evaluation_id, build_id, is_new) VALUES (@e, @b, @n)",
                cancellationToken, ("e", evaluationId), ("b", buildId), ("n", isNew));
        }

        var previousCount = await sql.ScalarAsync<int?>(
            "SELECT nr_builds FROM evaluations WHERE jobset_id = @j AND id <> @e ORDER BY id DESC LIMIT 1",
            cancellationToken, ("j", jobsetId), ("e", evaluationId));
        await sql.ExecuteAsync("UPDATE evaluations SET nr_builds = @n, has_new_builds = @h WHERE id = @e", cancellationToken,
            ("n", evaluation.Jobs.Count), ("h", newBuilds > 0 || previousCount != evaluation.Jobs.Count), ("e", evaluationId));
        await sql.PromoteRunnableAsync(newSteps, cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return new IngestResult(evaluationId, newBuilds, reused, newSteps.Count, evaluation.Errors.Count);
    }
}
