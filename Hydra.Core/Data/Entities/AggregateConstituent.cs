namespace Hydra.Core.Data.Entities;

/// <summary>An aggregate job's build (<see cref="AggregateId"/>) and one build it is made of.</summary>
public sealed class AggregateConstituent
{
    public long AggregateId { get; set; }
    public long ConstituentId { get; set; }
}
