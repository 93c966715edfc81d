namespace Hydra.Core.Data.Entities;

/// <summary>A registered builder. Its token is stored as a SHA-256 hash only.</summary>
public sealed class Worker
{
    public long Id { get; set; }
    public required string Name { get; set; }
    public required string TokenHash { get; set; }
    public string[] Systems { get; set; } = [];
    public string[] Features { get; set; } = [];
    public string[] MandatoryFeatures { get; set; } = [];
    public int MaxJobs { get; set; } = 1;
    public double SpeedFactor { get; set; } = 1;
    /// <summary>False: the worker finishes the steps it holds but gets no new ones (<c>hydra-server disable-worker</c>).</summary>
    public bool Enabled { get; set; } = true;
    public DateTimeOffset? LastSeenAt { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    /// <summary>Steps whose attempts here ended aborted since the worker's last success (one entry per step).</summary>
    public long[] FailedSteps { get; set; } = [];
    /// <summary>How many quarantines in a row; each doubles the next one.</summary>
    public int QuarantineLevel { get; set; }
    /// <summary>The worker gets no claims before this time.</summary>
    public DateTimeOffset? QuarantinedUntil { get; set; }
    public string? LastFailure { get; set; }
}
