using Hydra.Evaluator.Nix;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Hydra.Evaluator.Ingestion;

/// <summary>
/// Turns an evaluation into rows: one build per job (reusing the jobset's previous build when the
/// job's derivation did not change), one step per derivation to build (shared with any unfinished
/// step for the same derivation), then the evaluation with its inputs, errors and members.
/// </summary>
/// <remarks>
/// Transactions, and why a crash never leaves a runnable step that no build needs:
/// <list type="number">
/// <item>New builds are written in batches of <see cref="IngestionOptions.BatchSize"/>, one short
/// transaction each: the batch's new steps (state 0, pending) together with the builds that need
/// them, their outputs, <c>build_steps</c> and <c>step_dependencies</c>. A step is never committed
/// without a build that needs it, so the repair sweep (which promotes any pending step whose
/// dependencies succeeded) can only ever promote a step some build is waiting for. Before a batch
/// commits, its steps' <c>.drv</c> closures are in the binary cache, so whatever runs them can fetch them.</item>
/// <item>One last short transaction inserts the evaluation, its inputs, errors, members and
/// aggregate constituents, and promotes this evaluation's new steps to runnable (NOTIFY
/// <c>hydra_steps_runnable</c>). Until then no evaluation lists the new builds.</item>
/// <item>After that commit, <c>builds.is_current</c> is moved to this evaluation's builds in
/// id-ordered batches of single statements, outside any long transaction.</item>
/// </list>
/// A crash between batches leaves complete, valid builds that no evaluation lists yet. Nothing is
/// deleted: the retried evaluation finds them as the jobs' latest builds with the same derivation
/// and reuses them, so the work is resumed rather than redone. (Their pending steps may be
/// promoted by the repair sweep before that; they are real work of real jobs.)
/// </remarks>
public sealed class BuildIngester(NpgsqlDataSource dataSource, DrvCachePusher cache, TimeProvider clock, IOptions<IngestionOptions> options)
{
    public Task<IngestResult> IngestAsync(long jobsetId, EvaluationRecord record, JobsetEvaluation evaluation, CancellationToken cancellationToken) =>
        IngestAsync(jobsetId, record, evaluation, progress: null, cancellationToken);

    /// <summary>Ingests <paramref name="evaluation"/>; <paramref name="progress"/> hears one line per phase and batch.</summary>
    public async Task<IngestResult> IngestAsync(
        long jobsetId, EvaluationRecord record, JobsetEvaluation evaluation, IProgress<string>? progress, CancellationToken cancellationToken)
    {
        var settings = options.Value;
        var now = clock.GetUtcNow();
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var sql = new IngestionSql(connection);

        // A job whose latest build in the jobset has the same derivation reuses that build.
        var previous = await sql.LatestBuildsAsync(jobsetId, cancellationToken);
        var members = new List<(EvaluatedJob Job, long BuildId, bool IsNew)>(evaluation.Jobs.Count);
        var newJobs = new List<EvaluatedJob>();
        foreach (var job in evaluation.Jobs)
        {
            if (previous.TryGetValue(job.Name, out var last) && last.DrvPath == job.DrvPath)
            {
                members.Add((job, last.Id, false));
            }
            else
            {
                newJobs.Add(job);
            }
        }
        previous.Clear();

        var planner = new StepGraphPlanner(cache.CacheHas, settings.ParseParallelism);
        await planner.AddAllAsync(newJobs.Select(j => j.DrvPath), cancellationToken);
        var graph = new IngestionGraph(planner, newJobs);
        progress?.Report($"planned {planner.Order.Count} steps for {newJobs.Count} new builds ({members.Count} reused)");

        var writer = new BuildBatchWriter(sql, connection, graph, jobsetId, now, settings.MaxTries);
        var batches = newJobs.Chunk(Math.Max(1, settings.BatchSize)).ToList();
        // Pipeline: the next batch's derivations are copied to the cache while this batch is written.
        var nextPlan = batches.Count > 0 ? graph.PlanBatch(batches[0]) : null;
        var nextPush = nextPlan is null ? Task.CompletedTask : cache.PushAsync(nextPlan.DrvPaths, cancellationToken);
        for (var i = 0; i < batches.Count; i++)
        {
            var (plan, push) = (nextPlan!, nextPush);
            if (i + 1 < batches.Count)
            {
                nextPlan = graph.PlanBatch(batches[i + 1]);
                nextPush = cache.PushAsync(nextPlan.DrvPaths, cancellationToken);
            }
            await push;
            foreach (var (job, id) in await writer.WriteAsync(plan, cancellationToken))
            {
                members.Add((job, id, true));
            }
            progress?.Report($"batch {i + 1}/{batches.Count}: {plan.Jobs.Count} builds, {plan.Steps.Count} steps");
        }

        var evaluationId = await new EvaluationFinalizer(sql, connection, settings).FinalizeAsync(
            jobsetId, record, evaluation, members, writer.NeededSteps, now, cancellationToken);
        progress?.Report($"evaluation {evaluationId} recorded, {writer.CreatedSteps.Count} new steps promoted");

        await new CurrentBuilds(sql, settings).MoveToAsync(jobsetId, evaluationId, members.Select(m => m.BuildId), cancellationToken);
        progress?.Report("is_current updated");
        return new IngestResult(evaluationId, newJobs.Count, members.Count - newJobs.Count, writer.CreatedSteps.Count, evaluation.Errors.Count);
    }
}
