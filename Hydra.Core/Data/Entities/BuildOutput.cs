namespace Hydra.Core.Data.Entities;

/// <summary>A named output of a build and its store path.</summary>
public sealed class BuildOutput
{
    public long BuildId { get; set; }
    public required string Name { get; set; }
    public required string Path { get; set; }
}
