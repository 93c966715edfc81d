namespace Hydra.Evaluator.Ingestion;

/// <summary>
/// A derivation to insert as a step, with the highest priority of the new builds known to need it so far,
/// its critical path (the longest chain of planned steps waiting on it, itself included) and its planned
/// dependencies (copied out of the planner, so writing never reads the planner while the next batch is planned).
/// </summary>
internal sealed record PlannedStep(
    string DrvPath, string System, IReadOnlyList<string> OutputPaths, IReadOnlyList<string> RequiredFeatures, bool PreferLocalBuild,
    int Priority, int CriticalPath, IReadOnlyList<string> Dependencies);
