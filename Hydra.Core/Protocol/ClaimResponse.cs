namespace Hydra.Core.Protocol;

/// <summary>
/// A claimed step: build <see cref="DrvPath"/> within <see cref="Limits"/> and report under
/// <see cref="AttemptId"/> before the lease runs out. A server that sends no limits means none.
/// </summary>
public sealed record ClaimResponse(
    long StepId,
    long AttemptId,
    string DrvPath,
    string System,
    IReadOnlyList<string> OutputPaths,
    int LeaseSeconds,
    int HeartbeatSeconds,
    StepLimits? Limits = null);
