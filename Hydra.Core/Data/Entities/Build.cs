namespace Hydra.Core.Data.Entities;

/// <summary>A job of a jobset to build: one top-level derivation and the steps of its graph.</summary>
public sealed class Build
{
    public long Id { get; set; }
    public long JobsetId { get; set; }
    public Jobset? Jobset { get; set; }
    public required string Job { get; set; }
    public required string NixName { get; set; }
    public string? Description { get; set; }
    public required string DrvPath { get; set; }
    public required string System { get; set; }
    public long? TopStepId { get; set; }
    public bool Finished { get; set; }
    /// <summary>Hydra's status code (<see cref="BuildStatus"/>); null while queued.</summary>
    public int? BuildStatus { get; set; }
    public bool IsCachedBuild { get; set; }
    /// <summary>meta.schedulingPriority (Hydra's default 100); steps take the highest of the builds needing them.</summary>
    public int Priority { get; set; } = 100;
    public int GlobalPriority { get; set; }
    public DateTimeOffset QueuedAt { get; set; }
    public DateTimeOffset? StartTime { get; set; }
    public DateTimeOffset? StopTime { get; set; }
    /// <summary>meta.license short names, comma-separated.</summary>
    public string? License { get; set; }
    public string? Homepage { get; set; }
    /// <summary>meta.maintainers e-mail addresses, comma-separated.</summary>
    public string? Maintainers { get; set; }
    /// <summary>meta.timeout in seconds; null means the queue's default.</summary>
    public int? Timeout { get; set; }
    /// <summary>meta.maxSilent in seconds; null means the queue's default.</summary>
    public int? MaxSilent { get; set; }
    public bool IsChannel { get; set; }
    /// <summary>Whether this build belongs to the jobset's latest evaluation.</summary>
    public bool IsCurrent { get; set; }
    /// <summary>From <c>nix-support/hydra-release-name</c>; shown instead of the Nix name when set.</summary>
    public string? ReleaseName { get; set; }
    /// <summary>Hydra's keep flag: garbage collection keeps the outputs.</summary>
    public bool Keep { get; set; }
    public List<BuildOutput> Outputs { get; set; } = [];
}
