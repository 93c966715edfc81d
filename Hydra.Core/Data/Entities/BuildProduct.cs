namespace Hydra.Core.Data.Entities;

/// <summary>A file or directory a build declared in <c>nix-support/hydra-build-products</c> (Hydra's BuildProducts).</summary>
public sealed class BuildProduct
{
    public long BuildId { get; set; }
    /// <summary>1, 2, ... in the order the builder reported them; Hydra's download URLs use it.</summary>
    public int ProductNr { get; set; }
    public required string Type { get; set; }
    public required string Subtype { get; set; }
    /// <summary>Only for regular files.</summary>
    public long? FileSize { get; set; }
    /// <summary>SHA-256 of a regular file, base16.</summary>
    public string? Sha256hash { get; set; }
    public required string Path { get; set; }
    public required string Name { get; set; }
    public string DefaultPath { get; set; } = "";
}
