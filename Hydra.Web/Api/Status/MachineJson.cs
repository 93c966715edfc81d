using Hydra.Queue.Workers;

namespace Hydra.Web.Api.Status;

/// <summary>
/// A worker on <c>/machines</c> as JSON, in Hydra's style (lower-case keys, Unix-second times). <c>currentjobs</c>:
/// attempts it holds; <c>consecutivefailures</c>: different steps aborted on it since its last success;
/// <c>quarantineduntil</c>: set while it gets no claims for failing (Hydra's <c>disabledUntil</c>).
/// </summary>
internal sealed record MachineJson(
    string Name,
    IReadOnlyList<string> Systems,
    IReadOnlyList<string> SupportedFeatures,
    IReadOnlyList<string> MandatoryFeatures,
    int MaxJobs,
    double SpeedFactor,
    bool Enabled,
    long? LastSeen,
    int CurrentJobs,
    int ConsecutiveFailures,
    long? QuarantinedUntil,
    string? LastFailure)
{
    public static MachineJson From(WorkerStatus worker) => new(
        worker.Name, worker.Systems, worker.Features, worker.MandatoryFeatures, worker.MaxJobs, worker.SpeedFactor, worker.Enabled,
        HydraJson.Unix(worker.LastSeenAt), worker.RunningSteps, worker.RecentFailures, HydraJson.Unix(worker.QuarantinedUntil), worker.LastFailure);
}
