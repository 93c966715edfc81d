namespace Hydra.Evaluator.Forges;

/// <summary>A forge API call did not give an answer we can use (status, shape, configuration).</summary>
public sealed class ForgeApiException(string message) : Exception(message);
