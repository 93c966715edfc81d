namespace Hydra.Evaluator.Ingestion;

/// <summary>
/// A derivation to insert as a step, with the highest priority of the new builds known to need it so far
/// and its planned dependencies (copied out of the planner, so writing never reads the planner while
/// the next batch is planned).
/// </summary>
internal sealed record PlannedStep(
    string DrvPath, string System, IReadOnlyList<string> OutputPaths, IReadOnlyList<string> RequiredFeatures, int Priority, IReadOnlyList<string> Dependencies);
