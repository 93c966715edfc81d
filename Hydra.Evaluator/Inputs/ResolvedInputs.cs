using System.Text.Json.Nodes;
using Hydra.Core.Data.Entities;

namespace Hydra.Evaluator.Inputs;

/// <summary>
/// A jobset's inputs as fetched for one evaluation: what is recorded on the evaluation, what is
/// passed to the Nix expression (see eval-jobs.nix for the JSON shape), and the directory holding
/// the expression file. For flake jobsets, <see cref="FlakeUrl"/> is the locked flake URL to
/// evaluate (its <c>hydraJobs</c>, else <c>checks</c>) and <see cref="ExpressionRoot"/> is empty.
/// </summary>
public sealed record ResolvedInputs(IReadOnlyList<EvaluationInput> Inputs, JsonObject Arguments, string ExpressionRoot)
{
    public string? FlakeUrl { get; init; }
}
