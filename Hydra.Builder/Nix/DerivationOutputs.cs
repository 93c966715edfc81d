using Hydra.Core.Nix;

namespace Hydra.Builder.Nix;

/// <summary>A derivation's outputs, read from the <c>.drv</c> file itself (a Nix process for this cost about as much as the build of a small step).</summary>
public static class DerivationOutputs
{
    /// <summary>Output path -> output name, for the outputs whose paths the derivation fixes.</summary>
    public static async Task<IReadOnlyDictionary<string, string>> ReadAsync(string drvPath, CancellationToken cancellationToken)
    {
        var derivation = await DerivationParser.ParseFileAsync(drvPath, cancellationToken);
        return Of(derivation);
    }

    /// <summary>Output path -> output name of an already parsed derivation.</summary>
    public static IReadOnlyDictionary<string, string> Of(Derivation derivation) =>
        derivation.Outputs.Where(o => o.Value.Path.Length > 0).ToDictionary(o => o.Value.Path, o => o.Key, StringComparer.Ordinal);
}
