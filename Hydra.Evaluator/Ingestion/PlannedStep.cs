namespace Hydra.Evaluator.Ingestion;

/// <summary>A derivation to insert as a step, with the highest priority of the new builds that need it.</summary>
internal sealed record PlannedStep(string DrvPath, string System, IReadOnlyList<string> OutputPaths, IReadOnlyList<string> RequiredFeatures, int Priority);
