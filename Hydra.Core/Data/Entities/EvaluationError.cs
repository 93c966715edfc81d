namespace Hydra.Core.Data.Entities;

/// <summary>The evaluation error of one job, with Nix's full message.</summary>
public sealed class EvaluationError
{
    public long EvaluationId { get; set; }
    public required string Job { get; set; }
    public required string Message { get; set; }
}
