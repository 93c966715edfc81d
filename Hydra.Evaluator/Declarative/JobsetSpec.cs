namespace Hydra.Evaluator.Declarative;

/// <summary>
/// One jobset's configuration, validated: from a declarative spec, or from the body of <c>PUT /jobset/...</c>.
/// Fields the spec leaves out take the same defaults as a new jobset, so the spec alone decides what the
/// jobset looks like; <see cref="DeclarativeSpecWriter.Configure"/> writes it.
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
