namespace Hydra.Core.Protocol;

/// <summary>The result of an attempt.</summary>
public sealed record FinishRequest(
    StepOutcome Outcome,
    int? ExitCode,
    string? ErrorMessage,
    IReadOnlyList<StepOutputInfo> Outputs);
