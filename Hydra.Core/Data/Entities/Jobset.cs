namespace Hydra.Core.Data.Entities;

/// <summary>
/// A jobset: a Nix expression (a file inside one of its inputs) evaluated on a schedule.
/// <see cref="Enabled"/> keeps Hydra's codes: 0 disabled, 1 enabled, 2 one-shot, 3 one-at-a-time.
/// </summary>
public sealed class Jobset
{
    public long Id { get; set; }
    public long ProjectId { get; set; }
    public Project? Project { get; set; }
    public required string Name { get; set; }
    public string Description { get; set; } = "";
    /// <summary>0: a Nix file in an input (<see cref="NixExprInput"/>/<see cref="NixExprPath"/>); 1: a flake (<see cref="Flake"/>).</summary>
    public short Type { get; set; }
    public required string NixExprInput { get; set; }
    public required string NixExprPath { get; set; }
    /// <summary>Flake URL for type 1 jobsets, locked at each evaluation.</summary>
    public string? Flake { get; set; }
    public short Enabled { get; set; } = 1;
    public bool Hidden { get; set; }
    public int CheckInterval { get; set; } = 300;
    public int SchedulingShares { get; set; } = 100;
    public int KeepNr { get; set; } = 3;
    public string EmailOverride { get; set; } = "";
    public bool EnableEmail { get; set; }
    public DateTimeOffset? TriggerTime { get; set; }
    public bool ForceEval { get; set; }
    public DateTimeOffset? LastCheckedAt { get; set; }
    public DateTimeOffset? EvalStartedAt { get; set; }
    /// <summary>What the running evaluation is doing ("fetching inputs", "evaluating", ...); null when idle.</summary>
    public string? EvalPhase { get; set; }
    /// <summary>When <see cref="EvalPhase"/> last changed.</summary>
    public DateTimeOffset? EvalPhaseSince { get; set; }
    public string? ErrorMessage { get; set; }
    public DateTimeOffset? ErrorTime { get; set; }
    /// <summary>On a generated declarative project's <c>.jobsets</c>: the newest <c>jobsets</c> build handled.</summary>
    public long? DeclBuildId { get; set; }
    /// <summary>On a generated declarative project's <c>.jobsets</c>: why its jobsets could not be applied; kept in <see cref="ErrorMessage"/> across checks.</summary>
    public string? DeclError { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public List<JobsetInput> Inputs { get; set; } = [];
}
