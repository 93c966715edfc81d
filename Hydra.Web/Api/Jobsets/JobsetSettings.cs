namespace Hydra.Web.Api.Jobsets;

/// <summary>A validated jobset configuration from a PUT body.</summary>
internal sealed record JobsetSettings(
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
    IReadOnlyList<JobsetInputSettings> Inputs);
