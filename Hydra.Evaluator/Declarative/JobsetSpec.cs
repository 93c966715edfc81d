namespace Hydra.Evaluator.Declarative;

/// <summary>
/// One jobset of a declarative spec, validated. Fields the spec leaves out take the same defaults
/// as a new jobset, so the spec alone decides what the jobset looks like.
/// </summary>
public sealed record JobsetSpec(
    string Name,
    string Description,
    short Type,
    string? Flake,
    string NixExprInput,
    string NixExprPath,
    short Enabled,
    bool Hidden,
    int CheckInterval,
    int SchedulingShares,
    int KeepNr,
    string EmailOverride,
    bool EnableEmail,
    IReadOnlyList<JobsetSpecInput> Inputs);
