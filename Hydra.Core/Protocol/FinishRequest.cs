namespace Hydra.Core.Protocol;

/// <summary>
/// The result of an attempt. After a build that Nix completed (<see cref="StepOutcome.Succeeded"/> or
/// <see cref="StepOutcome.FailedWithOutput"/>) it also carries what the outputs' <c>nix-support/</c>
/// files declare: build products, metrics and a release name.
/// </summary>
public sealed record FinishRequest(
    StepOutcome Outcome,
    int? ExitCode,
    string? ErrorMessage,
    IReadOnlyList<StepOutputInfo> Outputs,
    IReadOnlyList<BuildProductInfo>? Products = null,
    IReadOnlyList<BuildMetricInfo>? Metrics = null,
    string? ReleaseName = null);
