namespace Hydra.Queue.Workers;

/// <summary>
/// The worker a request was authenticated as, with what decides whether it may claim: a disabled worker
/// finishes what it holds but gets no new steps, and neither does one quarantined until a later time.
/// </summary>
public sealed record WorkerIdentity(long Id, string Name, bool Enabled = true, DateTimeOffset? QuarantinedUntil = null)
{
    /// <summary>Whether claims of this worker must answer empty at <paramref name="now"/>.</summary>
    public bool IsBlocked(DateTimeOffset now) => !Enabled || QuarantinedUntil > now;
}
