namespace Hydra.Core.Protocol;

/// <summary>
/// A line of <c>nix-support/hydra-build-products</c> (<c>type subtype path [defaultPath]</c>) after checks:
/// <see cref="Path"/> lies inside one of the step's outputs. <see cref="Name"/> is the file's base name
/// ("" for an output itself); size and SHA-256 (base16) only for regular files.
/// </summary>
public sealed record BuildProductInfo(
    string Type, string Subtype, string Path, string Name, string DefaultPath, long? FileSize, string? Sha256);
