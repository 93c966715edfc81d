namespace Hydra.Evaluator.Inputs;

/// <summary>The latest successful build of a job, for a <c>build</c> input: its id and output paths by name.</summary>
public sealed record LatestBuild(long BuildId, IReadOnlyDictionary<string, string> Outputs);
