namespace Hydra.Core.Data.Entities;

/// <summary>Edge of the step graph: <see cref="StepId"/> needs <see cref="DependsOnId"/> built first.</summary>
public sealed class StepDependency
{
    public long StepId { get; set; }
    public long DependsOnId { get; set; }
}
