namespace Hydra.Builder.Nix.Serve;

/// <summary>What <c>nix-store --serve</c> says about a valid store path.</summary>
/// <param name="NarHash">As Nix sends it: <c>sha256:&lt;nixbase32&gt;</c>.</param>
/// <param name="References">Full store paths, possibly including the path itself.</param>
public sealed record ServePathInfo(string Path, string? Deriver, IReadOnlyList<string> References, long NarSize, string NarHash, string? Ca);
