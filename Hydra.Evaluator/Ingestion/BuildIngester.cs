using System.Threading.Channels;
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
/// <item>New builds are written in batches of at most <see cref="IngestionOptions.BatchSize"/> as the
/// evaluation streams them (an aggregate waits for the whole evaluation), one short
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

    /// <summary>Ingests a finished <paramref name="evaluation"/>; <paramref name="progress"/> hears one line per batch and phase.</summary>
    public async Task<IngestResult> IngestAsync(
        long jobsetId, EvaluationRecord record, JobsetEvaluation evaluation, IProgress<string>? progress, CancellationToken cancellationToken)
    {
        await using var stream = EvaluationStream.FromEvaluation(evaluation);
        return await IngestAsync(jobsetId, stream, _ => record, progress, cancellationToken);
    }

    /// <summary>
    /// Ingests an evaluation while it runs: jobs are written in batches as they arrive (rule 1 above),
    /// the aggregates and the final transaction once the evaluation completed. <paramref name="record"/>
    /// builds the evaluation's row from its completion (which knows the evaluation time).
    /// </summary>
    public async Task<IngestResult> IngestAsync(long jobsetId, EvaluationStream evaluation, Func<EvaluationCompletion, EvaluationRecord> record,
        IProgress<string>? progress, CancellationToken cancellationToken)
    {
        var settings = options.Value;
        var now = clock.GetUtcNow();
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var sql = new IngestionSql(connection);
        var previous = await sql.LatestBuildsAsync(jobsetId, cancellationToken);

        // Two stages, one batch apart: planning (parsing .drv files, starting the batch's cache push)
        // runs on the next batch while the writer waits for this batch's push and commits it.
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var planned = Channel.CreateBounded<(BatchPlan Plan, Task Push)>(1);
        var reused = new List<(EvaluatedJob Job, long BuildId, bool IsNew)>();
        var planning = PlanAsync(evaluation, previous, reused, planned.Writer, progress, stop.Token);
        var writer = new BuildBatchWriter(sql, connection, jobsetId, now, settings.MaxTries);
        var members = new List<(EvaluatedJob Job, long BuildId, bool IsNew)>();
        try
        {
            var batch = 0;
            await foreach (var (plan, push) in planned.Reader.ReadAllAsync(stop.Token))
            {
                await push;
                foreach (var (job, id) in await writer.WriteAsync(plan, stop.Token))
                {
                    members.Add((job, id, true));
                }
                progress?.Report($"batch {++batch}: {plan.Jobs.Count} builds, {plan.Steps.Count} steps");
            }
        }
        catch (Exception) when (!planning.IsCompleted)
        {
            await stop.CancelAsync();
            throw;
        }
        var completion = await planning;
        var newBuilds = members.Count;
        members.AddRange(reused);

        var evaluationId = await new EvaluationFinalizer(sql, connection, settings).FinalizeAsync(
            jobsetId, record(completion), completion.Errors, members, writer.NeededSteps, now, cancellationToken);
        progress?.Report($"evaluation {evaluationId} recorded, {writer.CreatedSteps.Count} new steps promoted");

        await new CurrentBuilds(sql, settings).MoveToAsync(jobsetId, members.Select(m => m.BuildId), cancellationToken);
        progress?.Report("is_current updated");
        return new IngestResult(evaluationId, newBuilds, members.Count - newBuilds, writer.CreatedSteps.Count, completion.Errors.Count);
    }

    /// <summary>
    /// Takes the jobs as they come (up to <see cref="IngestionOptions.BatchSize"/> at a time, without
    /// waiting to fill a batch), sets aside those that reuse the jobset's previous build, and plans
    /// the others; the aggregates, known at the end, are the last batch.
    /// </summary>
    private async Task<EvaluationCompletion> PlanAsync(EvaluationStream evaluation, Dictionary<string, (long Id, string DrvPath)> previous,
        List<(EvaluatedJob Job, long BuildId, bool IsNew)> reused, ChannelWriter<(BatchPlan, Task)> planned, IProgress<string>? progress,
        CancellationToken cancellationToken)
    {
        var settings = options.Value;
        var batchSize = Math.Max(1, settings.BatchSize);
        var graph = new IngestionGraph(new StepGraphPlanner(cache.CacheHas, settings.ParseParallelism, cache.Locate));
        try
        {
            var jobs = evaluation.Jobs;
            while (await jobs.WaitToReadAsync(cancellationToken))
            {
                var chunk = new List<EvaluatedJob>();
                while (chunk.Count < batchSize && jobs.TryRead(out var job))
                {
                    chunk.Add(job);
                }
                await PlanChunkAsync(chunk);
            }
            var completion = await evaluation.Completion;
            foreach (var aggregates in completion.Aggregates.Chunk(batchSize))
            {
                await PlanChunkAsync(aggregates);
            }
            planned.TryComplete();
            return completion;
        }
        catch (Exception exception)
        {
            planned.TryComplete(exception);
            throw;
        }

        async Task PlanChunkAsync(IReadOnlyList<EvaluatedJob> chunk)
        {
            // A job whose latest build in the jobset has the same derivation reuses that build.
            var fresh = new List<EvaluatedJob>(chunk.Count);
            foreach (var job in chunk)
            {
                if (previous.TryGetValue(job.Name, out var last) && last.DrvPath == job.DrvPath)
                {
                    reused.Add((job, last.Id, false));
                }
                else
                {
                    fresh.Add(job);
                }
            }
            progress?.Report($"received {chunk.Count} jobs ({chunk.Count - fresh.Count} reused)");
            if (fresh.Count == 0)
            {
                return;
            }
            var plan = await graph.PlanBatchAsync(fresh, cancellationToken);
            await planned.WriteAsync((plan, cache.PushAsync(plan.DrvPaths, cancellationToken)), cancellationToken);
        }
    }
}
