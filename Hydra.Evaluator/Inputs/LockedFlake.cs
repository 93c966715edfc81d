namespace Hydra.Evaluator.Inputs;

/// <summary>A flake locked for one evaluation: the immutable URL, and its revision and NAR hash where Nix reports them.</summary>
public sealed record LockedFlake(string Url, string? Revision, string? NarHash);
