using Hydra.Evaluator.Nix;
using Npgsql;

namespace Hydra.Evaluator.Ingestion;

/// <summary>
/// Writes one batch of new builds in one short transaction: the steps first needed by the batch (linked
/// to the jobset, for fair shares), dependencies among the steps this evaluation created, the builds,
/// their outputs and their <c>build_steps</c>. Steps are written pending; only the evaluation's last transaction promotes them.
/// </summary>
internal sealed class BuildBatchWriter(IngestionSql sql, NpgsqlConnection connection, long jobsetId, DateTimeOffset now, int maxTries)
{
    private readonly Dictionary<string, long> _stepIds = new(StringComparer.Ordinal);

    /// <summary>Steps this evaluation created (as opposed to found unfinished and shared).</summary>
    public List<long> CreatedSteps { get; } = [];

    /// <summary>
    /// Every step the new builds need, created or shared. A shared step can still be pending from
    /// an ingestion that stopped before its last transaction; promoting it too is always safe.
    /// </summary>
    public List<long> NeededSteps { get; } = [];

    /// <summary>
    /// Writes the batch and returns each job with its new build id. The transaction's statements run while
    /// <paramref name="push"/> (the batch's <c>.drv</c> closures going to the cache) finishes; it commits only after.
    /// </summary>
    public async Task<List<(EvaluatedJob Job, long BuildId)>> WriteAsync(BatchPlan plan, Task push, CancellationToken cancellationToken)
    {
        // Only merged into the writer's state once the transaction committed, so a retry starts clean.
        var (ids, builds) = await Deadlocks.RetryAsync(maxTries, () => WriteOnceAsync(plan, push, cancellationToken));
        foreach (var (drvPath, (id, created)) in ids)
        {
            _stepIds[drvPath] = id;
            NeededSteps.Add(id);
            if (created)
            {
                CreatedSteps.Add(id);
            }
        }
        return builds;
    }

    private async Task<(Dictionary<string, (long Id, bool Created)>, List<(EvaluatedJob, long)>)> WriteOnceAsync(
        BatchPlan plan, Task push, CancellationToken cancellationToken)
    {
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        var ids = await sql.UpsertStepsAsync(jobsetId, plan.Steps, now, cancellationToken);
        long IdOf(string drvPath) => ids.TryGetValue(drvPath, out var step) ? step.Id : _stepIds[drvPath];
        await sql.LinkJobsetAsync(jobsetId, ids.Values.Select(v => v.Id).ToArray(), cancellationToken);

        // A step found unfinished already has its dependencies recorded by whoever created it.
        List<long> from = [], to = [];
        foreach (var step in plan.Steps)
        {
            if (ids[step.DrvPath] is (var id, true))
            {
                foreach (var dependency in step.Dependencies)
                {
                    from.Add(id);
                    to.Add(IdOf(dependency));
                }
            }
        }
        await sql.InsertDependenciesAsync(from, to, cancellationToken);
        if (plan.Raised.Count > 0)
        {
            await sql.RaiseStepsAsync(plan.Raised.Keys.Select(IdOf).ToArray(), plan.Raised.Values.Select(v => v.Priority).ToArray(),
                plan.Raised.Values.Select(v => v.CriticalPath).ToArray(), cancellationToken);
        }

        var buildIds = await sql.AllocateBuildIdsAsync(plan.Jobs.Count, cancellationToken);
        var rows = new List<(long, EvaluatedJob, long?)>(plan.Jobs.Count);
        List<long> outputBuilds = [], stepBuilds = [], steps = [];
        List<string> outputNames = [], outputPaths = [];
        for (var i = 0; i < plan.Jobs.Count; i++)
        {
            var job = plan.Jobs[i];
            rows.Add((buildIds[i], job, plan.Closures[i].Contains(job.DrvPath) ? IdOf(job.DrvPath) : null));
            foreach (var (name, path) in job.Outputs)
            {
                outputBuilds.Add(buildIds[i]);
                outputNames.Add(name);
                outputPaths.Add(path);
            }
            foreach (var drvPath in plan.Closures[i])
            {
                stepBuilds.Add(buildIds[i]);
                steps.Add(IdOf(drvPath));
            }
        }
        await sql.InsertBuildsAsync(jobsetId, rows, now, cancellationToken);
        await sql.InsertBuildOutputsAsync(outputBuilds, outputNames, outputPaths, cancellationToken);
        await sql.InsertBuildStepsAsync(stepBuilds, steps, cancellationToken);
        // Rule 1 of BuildIngester: a step is never committed before its .drv closure is in the cache.
        await push;
        await transaction.CommitAsync(cancellationToken);
        return (ids, rows.Select(r => (r.Item2, r.Item1)).ToList());
    }
}
