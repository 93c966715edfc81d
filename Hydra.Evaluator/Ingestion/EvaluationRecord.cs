using Hydra.Core.Data.Entities;

namespace Hydra.Evaluator.Ingestion;

/// <summary>What an evaluation saw, recorded alongside its builds.</summary>
public sealed record EvaluationRecord(
    string InputsHash,
    string NixExprInput,
    string NixExprPath,
    IReadOnlyList<EvaluationInput> Inputs,
    double CheckoutSeconds,
    double EvalSeconds,
    DateTimeOffset StartedAt)
{
    /// <summary>The locked flake URL, for flake jobsets.</summary>
    public string? Flake { get; init; }
}
