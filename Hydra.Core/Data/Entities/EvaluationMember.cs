namespace Hydra.Core.Data.Entities;

/// <summary>A build belonging to an evaluation; <see cref="IsNew"/> when this evaluation created it.</summary>
public sealed class EvaluationMember
{
    public long EvaluationId { get; set; }
    public long BuildId { get; set; }
    public Build? Build { get; set; }
    public bool IsNew { get; set; }
}
