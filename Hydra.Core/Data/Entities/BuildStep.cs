namespace Hydra.Core.Data.Entities;

/// <summary>Membership of a step in a build's derivation graph.</summary>
public sealed class BuildStep
{
    public long BuildId { get; set; }
    public long StepId { get; set; }
    public Step? Step { get; set; }
}
