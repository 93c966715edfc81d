using Hydra.Evaluator.Nix;

namespace Hydra.Evaluator.Ingestion;

/// <summary>
/// The planned step graph of an evaluation's new builds, cut into batches: each step belongs to
/// the first batch whose builds need it, and carries the highest scheduling priority of all the
/// new builds that need it.
/// </summary>
internal sealed class IngestionGraph
{
    private readonly StepGraphPlanner _planner;
    private readonly Dictionary<string, int> _priority = new(StringComparer.Ordinal);
    private readonly HashSet<string> _assigned = new(StringComparer.Ordinal);

    public IngestionGraph(StepGraphPlanner planner, IReadOnlyList<EvaluatedJob> newJobs)
    {
        _planner = planner;
        foreach (var job in newJobs.Where(j => planner.IsPlanned(j.DrvPath)))
        {
            _priority[job.DrvPath] = Math.Max(_priority.GetValueOrDefault(job.DrvPath, int.MinValue), job.SchedulingPriority);
        }
        // Dependents come after their dependencies in Order, so walking it backwards hands each
        // step's final priority down to its dependencies in one pass.
        for (var i = planner.Order.Count - 1; i >= 0; i--)
        {
            var drvPath = planner.Order[i];
            if (!_priority.TryGetValue(drvPath, out var priority))
            {
                continue;
            }
            foreach (var dependency in planner.DependenciesOf(drvPath))
            {
                _priority[dependency] = Math.Max(_priority.GetValueOrDefault(dependency, int.MinValue), priority);
            }
        }
    }

    public StepGraphPlanner Planner => _planner;

    /// <summary>The steps <paramref name="jobs"/> need that no earlier batch wrote, and each job's closure.</summary>
    public BatchPlan PlanBatch(IReadOnlyList<EvaluatedJob> jobs)
    {
        var closures = new IReadOnlyCollection<string>[jobs.Count];
        var steps = new List<PlannedStep>();
        for (var i = 0; i < jobs.Count; i++)
        {
            closures[i] = _planner.ClosureOf(jobs[i].DrvPath);
            foreach (var drvPath in closures[i])
            {
                if (_assigned.Add(drvPath))
                {
                    var derivation = _planner.DerivationOf(drvPath);
                    steps.Add(new PlannedStep(drvPath, derivation.System, derivation.OutputPaths, derivation.RequiredSystemFeatures,
                        _priority.GetValueOrDefault(drvPath, 100)));
                }
            }
        }
        return new BatchPlan(jobs, closures, steps);
    }
}

/// <summary>One batch: its new builds, the planned closure of each, and the steps first needed here.</summary>
internal sealed record BatchPlan(IReadOnlyList<EvaluatedJob> Jobs, IReadOnlyCollection<string>[] Closures, List<PlannedStep> Steps)
{
    public IReadOnlyCollection<string> DrvPaths => Steps.Select(s => s.DrvPath).ToList();
}
