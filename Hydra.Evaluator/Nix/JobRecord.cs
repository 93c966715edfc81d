namespace Hydra.Evaluator.Nix;

/// <summary>A job as an engine reported it, before aggregates are resolved.</summary>
internal sealed record JobRecord(EvaluatedJob Job, IReadOnlyList<ConstituentRef>? Constituents);
