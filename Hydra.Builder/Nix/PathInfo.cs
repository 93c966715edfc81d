namespace Hydra.Builder.Nix;

/// <summary>What <c>nix path-info --json</c> says about a store path.</summary>
public sealed record PathInfo(string Path, string? NarHash, long? NarSize);
