namespace Hydra.Evaluator.Inputs;

/// <summary>An input could not be fetched (bad URL, unknown branch, timeout). The message says what to fix.</summary>
public sealed class InputFetchException(string message) : Exception(message);
