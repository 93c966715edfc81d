namespace Hydra.Evaluator.Nix;

/// <summary>A job whose evaluation failed, with Nix's full message (trace included).</summary>
public sealed record JobError(string Name, string Message);
