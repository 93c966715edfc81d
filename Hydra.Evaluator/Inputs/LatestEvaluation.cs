namespace Hydra.Evaluator.Inputs;

/// <summary>
/// The latest finished evaluation of a jobset, for an <c>eval</c> input: job name to the <c>out</c>
/// path of each of its successful builds.
/// </summary>
public sealed record LatestEvaluation(long EvaluationId, IReadOnlyDictionary<string, string> Jobs);
