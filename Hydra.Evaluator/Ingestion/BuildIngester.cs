using System.Diagnostics;
using System.Threading.Channels;
using Hydra.Evaluator.Nix;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
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
/// commits, its steps' <c>.drv</c> closures are in the binary cache, so whatever runs them can fetch them
/// (the batch's statements run while the push finishes; only the commit waits for it).</item>
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
public sealed partial class BuildIngester(
    NpgsqlDataSource dataSource, DrvCachePusher cache, TimeProvider clock, IOptions<IngestionOptions> options, ILogger<BuildIngester>? logger = null)
{
    private readonly ILogger _logger = (ILogger?)logger ?? NullLogger.Instance;

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
        var timings = new IngestionTimings();
        var evaluated = 0L;
        // The moment the evaluation ended (registered first and run inline, so it is set before the planner hears of the end).
        _ = evaluation.Completion.ContinueWith(_ => Volatile.Write(ref evaluated, Stopwatch.GetTimestamp()),
            CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var sql = new IngestionSql(connection);
        var previous = await sql.LatestBuildsAsync(jobsetId, cancellationToken);

        // Two stages, one batch apart: planning (parsing .drv files, starting the batch's cache push)
        // runs on the next batch while the writer writes this batch and commits it once its push is done.
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var planned = Channel.CreateBounded<(BatchPlan Plan, Task<TimeSpan> Push)>(1);
        var reused = new List<(EvaluatedJob Job, long BuildId, bool IsNew)>();
        var planning = PlanAsync(evaluation, previous, reused, planned.Writer, timings, progress, stop.Token);
        var writer = new BuildBatchWriter(sql, connection, jobsetId, now, settings.MaxTries);
        var members = new List<(EvaluatedJob Job, long BuildId, bool IsNew)>();
        try
        {
            var batch = 0;
            await foreach (var (plan, push) in planned.Reader.ReadAllAsync(stop.Token))
            {
                var started = Stopwatch.GetTimestamp();
                foreach (var (job, id) in await writer.WriteAsync(plan, push, stop.Token))
                {
                    members.Add((job, id, true));
                }
                timings.AddWrite(started);
                progress?.Report($"batch {++batch}: {plan.Jobs.Count} builds, {plan.Steps.Count} steps (planned in {plan.Elapsed.TotalSeconds:F2} s, " +
                    $"pushed in {(await push).TotalSeconds:F2} s, written and committed after the push in {Stopwatch.GetElapsedTime(started).TotalSeconds:F2} s)");
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

        var finalizing = Stopwatch.GetTimestamp();
        var evaluationId = await new EvaluationFinalizer(sql, connection, settings).FinalizeAsync(
            jobsetId, record(completion), completion.Errors, members, writer.NeededSteps, now, cancellationToken);
        timings.AddFinalize(finalizing);
        timings.Tail = Stopwatch.GetElapsedTime(Volatile.Read(ref evaluated) is > 0 and var ended ? ended : finalizing);
        progress?.Report($"evaluation {evaluationId} recorded, {writer.CreatedSteps.Count} new steps promoted " +
            $"(final transaction {Stopwatch.GetElapsedTime(finalizing).TotalSeconds:F2} s)");

        var moving = Stopwatch.GetTimestamp();
        await new CurrentBuilds(sql, settings).MoveToAsync(jobsetId, members.Select(m => m.BuildId), cancellationToken);
        timings.AddCurrent(moving);
        progress?.Report("is_current updated");
        progress?.Report($"timings: {timings}");
        LogTimings(_logger, evaluationId, timings.Plan.TotalSeconds, timings.Push.TotalSeconds, timings.Write.TotalSeconds,
            timings.Finalize.TotalSeconds, timings.Current.TotalSeconds, timings.Tail.TotalSeconds);
        return new IngestResult(evaluationId, newBuilds, members.Count - newBuilds, writer.CreatedSteps.Count, completion.Errors.Count) { Timings = timings };
    }

    /// <summary>
    /// Takes the jobs as they come (up to <see cref="IngestionOptions.BatchSize"/> at a time, waiting
    /// for <see cref="IngestionOptions.MinBatchSize"/> while the evaluation runs), sets aside those that
    /// reuse the jobset's previous build, and plans the others; the aggregates, known at the end, are the last batch.
    /// </summary>
    private async Task<EvaluationCompletion> PlanAsync(EvaluationStream evaluation, Dictionary<string, (long Id, string DrvPath)> previous,
        List<(EvaluatedJob Job, long BuildId, bool IsNew)> reused, ChannelWriter<(BatchPlan, Task<TimeSpan>)> planned, IngestionTimings timings,
        IProgress<string>? progress, CancellationToken cancellationToken)
    {
        var settings = options.Value;
        var batchSize = Math.Max(1, settings.BatchSize);
        var minBatchSize = Math.Clamp(settings.MinBatchSize, 1, batchSize);
        var graph = new IngestionGraph(new StepGraphPlanner(cache.CacheHasAsync, settings.ParseParallelism, cache.ReadDerivation));
        try
        {
            var jobs = evaluation.Jobs;
            while (await jobs.WaitToReadAsync(cancellationToken))
            {
                var chunk = new List<EvaluatedJob>();
                do
                {
                    while (chunk.Count < batchSize && jobs.TryRead(out var job))
                    {
                        chunk.Add(job);
                    }
                }
                while (chunk.Count < minBatchSize && await jobs.WaitToReadAsync(cancellationToken));
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
            var started = Stopwatch.GetTimestamp();
            var plan = await graph.PlanBatchAsync(fresh, cancellationToken);
            timings.AddPlan(started);
            await planned.WriteAsync((plan with { Elapsed = Stopwatch.GetElapsedTime(started) }, PushAsync(plan)), cancellationToken);
        }

        async Task<TimeSpan> PushAsync(BatchPlan plan)
        {
            var started = Stopwatch.GetTimestamp();
            await cache.PushAsync(plan.DrvPaths, plan.Files, cancellationToken);
            timings.AddPush(started);
            return Stopwatch.GetElapsedTime(started);
        }
    }

    [LoggerMessage(EventId = 1160, Level = LogLevel.Debug,
        Message = "Ingested evaluation {EvaluationId}: plan {PlanSeconds:F2} s, push {PushSeconds:F2} s, write {WriteSeconds:F2} s, " +
            "final transaction {FinalizeSeconds:F2} s, is_current {CurrentSeconds:F2} s; tail after the evaluation {TailSeconds:F2} s")]
    private static partial void LogTimings(ILogger logger, long evaluationId, double planSeconds, double pushSeconds, double writeSeconds,
        double finalizeSeconds, double currentSeconds, double tailSeconds);
}
