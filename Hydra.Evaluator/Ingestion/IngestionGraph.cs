using Hydra.Evaluator.Nix;

namespace Hydra.Evaluator.Ingestion;

/// <summary>
/// The planned step graph of an evaluation's new builds, cut into batches as the jobs arrive: each
/// step belongs to the first batch whose builds need it, and carries the highest scheduling priority
/// of the new builds that need it and its critical path (the longest chain of planned steps that wait
/// on it, itself included: a job's own step is 1, what it depends on 2, and so on). A later batch can
/// raise either for an already written step; the batch then lists it in <see cref="BatchPlan.Raised"/>,
/// so once every batch is written each step has the values it would have had if all jobs had been
/// known at once.
/// </summary>
internal sealed class IngestionGraph(StepGraphPlanner planner)
{
    private readonly Dictionary<string, int> _priority = new(StringComparer.Ordinal);
    private readonly Dictionary<string, int> _criticalPath = new(StringComparer.Ordinal);
    private readonly HashSet<string> _assigned = new(StringComparer.Ordinal);

    /// <summary>Plans the graphs of <paramref name="jobs"/> (parsing their new .drv files) and cuts the next batch.</summary>
    public async Task<BatchPlan> PlanBatchAsync(IReadOnlyList<EvaluatedJob> jobs, CancellationToken cancellationToken)
    {
        await planner.AddAllAsync(jobs.Select(j => j.DrvPath), cancellationToken);
        var files = planner.TakeFiles();
        var closures = new IReadOnlyCollection<string>[jobs.Count];
        var raised = new HashSet<string>(StringComparer.Ordinal);
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
                        raised.Add(drvPath);
                    }
                }
            }
            Deepen(jobs[i].DrvPath, raised);
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
                        derivation.PreferLocalBuild, _priority[drvPath], _criticalPath[drvPath], planner.DependenciesOf(drvPath).ToList()));
                }
            }
        }
        return new BatchPlan(jobs, closures, steps, raised.ToDictionary(d => d, d => (_priority[d], _criticalPath[d]), StringComparer.Ordinal), files);
    }

    /// <summary>
    /// Makes <paramref name="top"/> a chain of at least 1 and pushes longer chains down its dependencies,
    /// walking only where a value rises (so each step is revisited at most once per level of depth).
    /// Steps of earlier batches whose value rose go into <paramref name="raised"/>.
    /// </summary>
    private void Deepen(string top, HashSet<string> raised)
    {
        var pending = new Stack<(string DrvPath, int Depth)>();
        if (planner.IsPlanned(top))
        {
            pending.Push((top, 1));
        }
        while (pending.TryPop(out var entry))
        {
            if (_criticalPath.GetValueOrDefault(entry.DrvPath) >= entry.Depth)
            {
                continue;
            }
            _criticalPath[entry.DrvPath] = entry.Depth;
            if (_assigned.Contains(entry.DrvPath))
            {
                raised.Add(entry.DrvPath);
            }
            foreach (var dependency in planner.DependenciesOf(entry.DrvPath))
            {
                pending.Push((dependency, entry.Depth + 1));
            }
        }
    }
}

/// <summary>
/// One batch: its new builds, the planned closure of each (containing the job's own .drv exactly when
/// the build has a top step), the steps first needed here, and earlier batches' steps whose priority or
/// critical path rose (with their new values), and the <c>.drv</c> files read for it (for the cache push).
/// </summary>
internal sealed record BatchPlan(
    IReadOnlyList<EvaluatedJob> Jobs, IReadOnlyCollection<string>[] Closures, List<PlannedStep> Steps,
    IReadOnlyDictionary<string, (int Priority, int CriticalPath)> Raised, IReadOnlyDictionary<string, DerivationFile> Files)
{
    public IReadOnlyCollection<string> DrvPaths => Steps.Select(s => s.DrvPath).ToList();

    /// <summary>How long planning the batch took.</summary>
    public TimeSpan Elapsed { get; init; }
}
