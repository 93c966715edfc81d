namespace Hydra.Core.Protocol;

/// <summary>
/// The result of an attempt. After a build that Nix completed (<see cref="StepOutcome.Succeeded"/> or
/// <see cref="StepOutcome.FailedWithOutput"/>) it also carries what the outputs' <c>nix-support/</c>
/// files declare: build products, metrics and a release name.
/// </summary>
/// <param name="Log">
/// The end of the step's log not sent through <see cref="WorkerProtocol.Log"/> yet (UTF-8 text, at most one log
/// batch), appended before the result is recorded; only to servers whose <see cref="WorkerInfo.FinishTakesLog"/> is set.
/// </param>
public sealed record FinishRequest(
    StepOutcome Outcome,
    int? ExitCode,
    string? ErrorMessage,
    IReadOnlyList<StepOutputInfo> Outputs,
    IReadOnlyList<BuildProductInfo>? Products = null,
    IReadOnlyList<BuildMetricInfo>? Metrics = null,
    string? ReleaseName = null,
    string? Log = null);
