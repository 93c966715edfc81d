namespace Hydra.Evaluator.Nix;

/// <summary>The expression as a whole could not be evaluated (syntax error, missing file, ...).</summary>
public sealed class EvaluationFailedException(string message) : Exception(message);
