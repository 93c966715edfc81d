namespace Hydra.Evaluator.Nix;

/// <summary>One job as Nix evaluated it.</summary>
public sealed record EvaluatedJob(
    string Name,
    string DrvPath,
    string NixName,
    string System,
    IReadOnlyDictionary<string, string> Outputs,
    string? Description);
