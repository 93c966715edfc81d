using Hydra.Evaluator.Nix;

namespace Hydra.Evaluator.Ingestion;

/// <summary>
/// The planned step graph of an evaluation's new builds, cut into batches as the jobs arrive: each
/// step belongs to the first batch whose builds need it, and carries the highest scheduling priority
/// of the new builds that need it. A later batch can need an already written step with a higher
/// priority; the batch then lists it in <see cref="BatchPlan.Raised"/>, so once every batch is written
/// each step has the priority it would have had if all jobs had been known at once.
/// </summary>
internal sealed class IngestionGraph(StepGraphPlanner planner)
{
    private readonly Dictionary<string, int> _priority = new(StringComparer.Ordinal);
    private readonly HashSet<string> _assigned = new(StringComparer.Ordinal);

    /// <summary>Plans the graphs of <paramref name="jobs"/> (parsing their new .drv files) and cuts the next batch.</summary>
    public async Task<BatchPlan> PlanBatchAsync(IReadOnlyList<EvaluatedJob> jobs, CancellationToken cancellationToken)
    {
        await planner.AddAllAsync(jobs.Select(j => j.DrvPath), cancellationToken);
        var closures = new IReadOnlyCollection<string>[jobs.Count];
        var raised = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var i = 0; i < jobs.Count; i++)
        {
            closures[i] = planner.ClosureOf(jobs[i].DrvPath);
            foreach (var drvPath in closures[i])
            {
                var old = _priority.GetValueOrDefault(drvPath, int.MinValue);
                if (jobs[i].SchedulingPriority > old)
                {
                    _priority[drvPath] = jobs[i].SchedulingPriority;
                    if (_assigned.Contains(drvPath))
                    {
                        raised[drvPath] = jobs[i].SchedulingPriority;
                    }
                }
            }
        }

        var steps = new List<PlannedStep>();
        for (var i = 0; i < jobs.Count; i++)
        {
            foreach (var drvPath in closures[i])
            {
                if (_assigned.Add(drvPath))
                {
                    var derivation = planner.DerivationOf(drvPath);
                    steps.Add(new PlannedStep(drvPath, derivation.System, derivation.OutputPaths, derivation.RequiredSystemFeatures,
                        _priority[drvPath], planner.DependenciesOf(drvPath).ToList()));
                }
            }
        }
        return new BatchPlan(jobs, closures, steps, raised);
    }
}

/// <summary>
/// One batch: its new builds, the planned closure of each (containing the job's own .drv exactly when
/// the build has a top step), the steps first needed here, and earlier batches' steps whose priority rose.
/// </summary>
internal sealed record BatchPlan(
    IReadOnlyList<EvaluatedJob> Jobs, IReadOnlyCollection<string>[] Closures, List<PlannedStep> Steps, IReadOnlyDictionary<string, int> Raised)
{
    public IReadOnlyCollection<string> DrvPaths => Steps.Select(s => s.DrvPath).ToList();
}
