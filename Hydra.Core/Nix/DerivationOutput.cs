namespace Hydra.Core.Nix;

/// <summary>One output of a derivation, as written in the <c>.drv</c> file.</summary>
/// <param name="Path">The output's store path; empty for deferred and floating content-addressed outputs.</param>
/// <param name="HashAlgo">For fixed-output or content-addressed outputs, e.g. <c>sha256</c> or <c>r:sha256</c>; otherwise empty.</param>
/// <param name="Hash">For fixed-output derivations, the expected hash in hex; otherwise empty.</param>
public sealed record DerivationOutput(string Path, string HashAlgo, string Hash)
{
    /// <summary>Whether the output's hash is fixed in advance (a fetcher-style derivation).</summary>
    public bool IsFixedOutput => Hash.Length > 0;
}
