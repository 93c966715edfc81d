namespace Hydra.Core.Data.Entities;

/// <summary>One input of a jobset (type git, string, boolean, ...), passed to its Nix expression by name.</summary>
public sealed class JobsetInput
{
    public long JobsetId { get; set; }
    public required string Name { get; set; }
    public required string Type { get; set; }
    public required string Value { get; set; }
    public bool EmailResponsible { get; set; }
}
