namespace Hydra.Core.Protocol;

/// <summary>A claimed step: build <see cref="DrvPath"/> and report under <see cref="AttemptId"/> before the lease runs out.</summary>
public sealed record ClaimResponse(
    long StepId,
    long AttemptId,
    string DrvPath,
    string System,
    IReadOnlyList<string> OutputPaths,
    int LeaseSeconds,
    int HeartbeatSeconds);
