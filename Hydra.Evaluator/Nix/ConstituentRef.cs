namespace Hydra.Evaluator.Nix;

/// <summary>
/// One entry of an aggregate's <c>constituents</c>: a job name (a glob when the aggregate sets
/// <c>_hydraGlobConstituents</c>), or a derivation given by its .drv path.
/// </summary>
internal sealed record ConstituentRef(string? JobName, string? DrvPath, bool IsGlob)
{
    public override string ToString() => JobName ?? DrvPath ?? "";
}
