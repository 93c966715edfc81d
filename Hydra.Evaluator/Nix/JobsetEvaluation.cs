namespace Hydra.Evaluator.Nix;

/// <summary>The jobs and per-job errors of one evaluation.</summary>
public sealed record JobsetEvaluation(IReadOnlyList<EvaluatedJob> Jobs, IReadOnlyList<JobError> Errors);
