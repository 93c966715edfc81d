namespace Hydra.Queue;

/// <summary>Queue settings, bound from <c>Hydra:Queue</c>.</summary>
public sealed class QueueOptions
{
    public const string Section = "Hydra:Queue";

    /// <summary>How long a claim stays valid without a heartbeat.</summary>
    public TimeSpan LeaseDuration { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>How often workers renew their lease.</summary>
    public TimeSpan HeartbeatInterval { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>How often the reaper looks for expired leases and stuck steps.</summary>
    public TimeSpan ReaperInterval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Longest a claim request is held open when nothing is runnable.</summary>
    public TimeSpan MaxClaimWait { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Attempts a step gets before an infrastructure failure becomes permanent (status 3).</summary>
    public int MaxTries { get; set; } = 5;

    /// <summary>Delay before the first retry; each later one multiplies by <see cref="RetryBackoff"/>.</summary>
    public TimeSpan RetryInterval { get; set; } = TimeSpan.FromSeconds(60);

    public double RetryBackoff { get; set; } = 3.0;

    /// <summary>Time limit of a build when its job's <c>meta.timeout</c> is unset (Hydra's 10 h). Zero: none.</summary>
    public TimeSpan BuildTimeout { get; set; } = TimeSpan.FromHours(10);

    /// <summary>Longest a build may print nothing when its job's <c>meta.maxSilent</c> is unset (Hydra's 1 h). Zero: none.</summary>
    public TimeSpan MaxSilentTime { get; set; } = TimeSpan.FromHours(1);

    /// <summary>Largest log of one attempt (Hydra's 64 MiB): the worker stops the build past it (status 10). Zero: none.</summary>
    public long MaxLogSize { get; set; } = 64L * 1024 * 1024;

    /// <summary>Largest total NAR size of a step's outputs (4 GiB, as hydra.nixos.org): above it, status 11. Zero: none.</summary>
    public long MaxOutputSize { get; set; } = 4L * 1024 * 1024 * 1024;
    /// <summary>
    /// How long a runnable step may wait with no recently seen worker able to build it before it fails
    /// as "unsupported system" (status 9). Hydra's C++ runner uses 0 and its Rust runner 120 s;
    /// hydra.nixos.org raised it to a day because builder restarts briefly hid a system. One hour
    /// survives restarts and still tells a user within the hour that nothing builds their system.
    /// </summary>
    public TimeSpan MaxUnsupportedTime { get; set; } = TimeSpan.FromHours(1);

    /// <summary>A worker counts as present for the unsupported-system check if it called within this time.</summary>
    public TimeSpan WorkerSeenWithin { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>Step time older than this no longer counts against a jobset's fair share (Hydra: 24 h).</summary>
    public TimeSpan ShareWindow { get; set; } = TimeSpan.FromHours(24);

    /// <summary>How often jobset share usage is recomputed and unsupported steps are looked for.</summary>
    public TimeSpan DispatchMaintenanceInterval { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How often waiting claims look for work when no notification arrived.</summary>
    public TimeSpan ClaimPollInterval { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>
    /// Attempts on this many different steps ending aborted in a row (no success in between) quarantine a
    /// worker: it gets no claims for <see cref="QuarantineDuration"/>, doubled for each further quarantine
    /// before its next success, up to <see cref="MaxQuarantineDuration"/>. Zero turns quarantine off.
    /// </summary>
    public int QuarantineAfter { get; set; } = 3;

    /// <summary>Length of a worker's first quarantine (Hydra's C++ runner disables a failing machine for 60 s first).</summary>
    public TimeSpan QuarantineDuration { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>Longest quarantine, however often a worker failed.</summary>
    public TimeSpan MaxQuarantineDuration { get; set; } = TimeSpan.FromHours(1);

    /// <summary>Quarantine number <paramref name="level"/> (1 for the first): 1 min, 2 min, 4 min, ... up to 1 h by default.</summary>
    public TimeSpan QuarantineFor(int level) =>
        TimeSpan.FromSeconds(Math.Min(MaxQuarantineDuration.TotalSeconds, QuarantineDuration.TotalSeconds * Math.Pow(2, Math.Clamp(level - 1, 0, 30))));

    /// <summary>
    /// Whether waiting claims wake on PostgreSQL notifications (LISTEN). Off, they find new work only every
    /// <see cref="ClaimPollInterval"/>: for a connection pooler in transaction mode, which cannot LISTEN.
    /// </summary>
    public bool UseNotify { get; set; } = true;

    /// <summary>
    /// How long a worker token's look-up (the worker, whether it is enabled or quarantined) is reused before the
    /// database is asked again. Changes made through this process apply at once; those made by another process
    /// (the <c>disable-worker</c> command, another web replica) within this time. Zero: every call asks.
    /// </summary>
    public TimeSpan TokenCacheTime { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Retry delay after <paramref name="tries"/> attempts: 60 s x 3^(tries-1) by default.</summary>
    public TimeSpan RetryDelay(int tries) =>
        TimeSpan.FromSeconds(RetryInterval.TotalSeconds * Math.Pow(RetryBackoff, Math.Max(0, tries - 1)));
}
