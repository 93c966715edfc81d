namespace Hydra.Evaluator.Nix;

/// <summary>How one evaluation process ended; <see cref="Errors"/> is Nix's stderr or our explanation.</summary>
internal sealed record ProcessResult(int ExitCode, string Output, string Errors)
{
    public bool Succeeded => ExitCode == 0;
}
