namespace Hydra.Evaluator.Nix;

/// <summary>
/// One job as Nix evaluated it. <see cref="Name"/> is the attribute path ("pkgs.hello" for nested
/// sets). Meta fields follow Hydra: license and maintainers as comma-separated lists (license short
/// names, maintainer emails), timeouts in seconds (null = the queue's defaults).
/// </summary>
public sealed record EvaluatedJob(
    string Name,
    string DrvPath,
    string NixName,
    string System,
    IReadOnlyDictionary<string, string> Outputs,
    string? Description)
{
    public string? License { get; init; }
    public string? Homepage { get; init; }
    public string? Maintainers { get; init; }
    /// <summary>meta.schedulingPriority; Hydra's default is 100.</summary>
    public int SchedulingPriority { get; init; } = 100;
    public int? Timeout { get; init; }
    public int? MaxSilent { get; init; }
    public bool IsChannel { get; init; }
    /// <summary>For aggregate jobs (<c>_hydraAggregate = true</c>): the job names of its constituents.</summary>
    public IReadOnlyList<string>? Constituents { get; init; }
}
