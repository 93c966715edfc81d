using Hydra.Builder.Nix.Daemon;
using Hydra.Core.Nix;

namespace Hydra.Builder.Nix;

/// <summary>
/// Whether a step can be built from what this worker's store already holds: its <c>.drv</c>, the input
/// derivations, the outputs of theirs it uses and its input sources all valid. Then the build needs no
/// substitution, and Nix need not ask the cache for the step's own outputs either (the server found them
/// missing when it handed out the claim): one HTTP request and one write to Nix's narinfo cache less per step.
/// Anything unclear (a <c>.drv</c> not here yet, one that does not parse, many inputs) answers "no", and the
/// build substitutes as before.
/// </summary>
public static class LocalInputs
{
    /// <summary>Above this many input derivations reading them all costs more than the cache's answer.</summary>
    public const int MaxInputDerivations = 64;

    /// <summary>The parsed <c>.drv</c> (null when it is not readable here) and whether everything it needs is valid.</summary>
    public static async Task<(Derivation? Derivation, bool AllValid)> CheckAsync(
        string drvPath, NixDaemonSession daemon, CancellationToken cancellationToken)
    {
        if (!File.Exists(drvPath))
        {
            return (null, false);
        }

        Derivation derivation;
        var needed = new HashSet<string>(StringComparer.Ordinal) { drvPath };
        try
        {
            derivation = await DerivationParser.ParseFileAsync(drvPath, cancellationToken);
            if (derivation.InputDrvs.Count > MaxInputDerivations)
            {
                return (derivation, false);
            }

            needed.UnionWith(derivation.InputSrcs);
            foreach (var (inputDrv, outputNames) in derivation.InputDrvs)
            {
                if (!File.Exists(inputDrv))
                {
                    return (derivation, false);
                }

                var input = await DerivationParser.ParseFileAsync(inputDrv, cancellationToken);
                needed.Add(inputDrv);
                foreach (var name in outputNames)
                {
                    if (!input.Outputs.TryGetValue(name, out var output) || output.Path.Length == 0)
                    {
                        return (derivation, false); // a floating content-addressed output: Nix must resolve it
                    }

                    needed.Add(output.Path);
                }
            }
        }
        catch (Exception e) when (e is FormatException or IOException or UnauthorizedAccessException)
        {
            return (null, false);
        }

        var valid = await daemon.QueryValidPathsAsync(needed, cancellationToken);
        return (derivation, needed.All(valid.Contains));
    }
}
