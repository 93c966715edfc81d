namespace Hydra.Queue.Workers;

/// <summary>A worker as the machines page and <c>hydra-server list-workers</c> show it.</summary>
/// <param name="RunningSteps">Attempts it holds with a live lease.</param>
/// <param name="RecentFailures">Different steps aborted on it since its last success (quarantine counts these).</param>
/// <param name="QuarantinedUntil">Set only while the quarantine lasts.</param>
public sealed record WorkerStatus(
    string Name,
    IReadOnlyList<string> Systems,
    IReadOnlyList<string> Features,
    IReadOnlyList<string> MandatoryFeatures,
    int MaxJobs,
    double SpeedFactor,
    bool Enabled,
    DateTimeOffset? LastSeenAt,
    int RunningSteps,
    int RecentFailures,
    DateTimeOffset? QuarantinedUntil,
    string? LastFailure);
