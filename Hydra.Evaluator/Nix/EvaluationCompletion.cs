namespace Hydra.Evaluator.Nix;

/// <summary>
/// How a streamed evaluation ended, known only after its last shard: the aggregate jobs (whose
/// constituents can only be resolved against every job), the per-job errors, and the wall time.
/// </summary>
public sealed record EvaluationCompletion(IReadOnlyList<EvaluatedJob> Aggregates, IReadOnlyList<JobError> Errors, TimeSpan Elapsed);
