namespace Hydra.Core.Data.Entities;

/// <summary>A value a build reported in <c>nix-support/hydra-metrics</c> (Hydra's BuildMetrics).</summary>
public sealed class BuildMetric
{
    public long BuildId { get; set; }
    public required string Name { get; set; }
    public string Unit { get; set; } = "";
    public double Value { get; set; }
    public long JobsetId { get; set; }
    public required string Job { get; set; }
    public DateTimeOffset Timestamp { get; set; }
}
