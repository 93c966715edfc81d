namespace Hydra.Core.Data.Entities;

/// <summary>One derivation to build, shared by all unfinished builds that need it.</summary>
public sealed class Step
{
    public long Id { get; set; }
    public required string DrvPath { get; set; }
    public required string System { get; set; }
    public string[] OutputPaths { get; set; } = [];
    public string[] RequiredFeatures { get; set; } = [];
    public bool PreferLocalBuild { get; set; }
    public StepState State { get; set; }
    public int? Status { get; set; }
    public string? ErrorMessage { get; set; }
    public int Tries { get; set; }
    public int GlobalPriority { get; set; }
    public int LocalPriority { get; set; } = 100;

    /// <summary>Longest chain of unfinished steps waiting on this one, itself included.</summary>
    public int CriticalPath { get; set; } = 1;

    /// <summary>Lowest fair-share bucket among the jobsets needing the step (lower is claimed first).</summary>
    public int ShareBucket { get; set; }

    /// <summary>Since when no recently seen worker can build this runnable step.</summary>
    public DateTimeOffset? UnsupportedSince { get; set; }
    public long? CurrentAttemptId { get; set; }
    public DateTimeOffset? RunnableAfter { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset? StartedAt { get; set; }
    public DateTimeOffset? FinishedAt { get; set; }
}
