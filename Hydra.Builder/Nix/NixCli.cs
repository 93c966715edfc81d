using Hydra.Core.Nix;
using Hydra.Core.Processes;
using System.Globalization;

namespace Hydra.Builder.Nix;

/// <summary>The Nix commands a step needs, run through <see cref="INixProcessRunner"/>.</summary>
public sealed class NixCli(INixProcessRunner runner)
{
    /// <summary>
    /// <c>nix-store --realise</c> with the farm cache as the only substituter; <paramref name="gcRoot"/> keeps the outputs
    /// alive until pushed. Nix enforces the time limits (0 = none) and exits with 101 when one is hit.
    /// A <c>.drv</c> missing here is substituted from the cache by this same call, with its closure (Nix's
    /// derivation goal substitutes the derivation before loading it), so no separate <c>nix copy --from</c> is needed.
    /// <paramref name="buildHookPath"/> replaces Nix's remote-build hook (<see cref="DeclineBuildHook"/>).
    /// <paramref name="cacheHome"/> becomes <c>XDG_CACHE_HOME</c>: Nix 2.8 keeps its narinfo cache in one SQLite file
    /// there, and two realises inserting the same narinfo at once fail with "constraint failed"; so steps running
    /// at the same time each get a directory of their own (the cache's entries expire at once anyway).
    /// </summary>
    public Task<int> RealiseAsync(
        string drvPath, string cacheUrl, string publicKey, string gcRoot, int timeoutSeconds, int maxSilentSeconds,
        string buildHookPath, string cacheHome, Action<OutputLine> onLine, CancellationToken cancellationToken) =>
        runner.RunAsync(
            Request("nix-store",
            [
                "--realise", drvPath, "--add-root", gcRoot,
                "--option", "substituters", cacheUrl,
                "--option", "trusted-public-keys", publicKey,
                "--option", "timeout", timeoutSeconds.ToString(CultureInfo.InvariantCulture),
                "--option", "max-silent-time", maxSilentSeconds.ToString(CultureInfo.InvariantCulture),
                "--option", "build-hook", buildHookPath,
            ],
            cacheHome: cacheHome),
            onLine,
            cancellationToken);

    /// <summary>
    /// The derivation's outputs as output path -> output name, read from the <c>.drv</c> file itself (a Nix process
    /// for this cost about as much as the build of a small step).
    /// </summary>
    public static async Task<IReadOnlyDictionary<string, string>> DerivationOutputsAsync(string drvPath, CancellationToken cancellationToken)
    {
        var derivation = await DerivationParser.ParseFileAsync(drvPath, cancellationToken);
        return derivation.Outputs.Where(o => o.Value.Path.Length > 0).ToDictionary(o => o.Value.Path, o => o.Key, StringComparer.Ordinal);
    }

    private static NixProcessRequest Request(
        string fileName, IReadOnlyList<string> arguments, IReadOnlyList<string>? configLines = null, string? cacheHome = null)
    {
        var environment = new Dictionary<string, string>(NixEnvironment.Overrides(configLines ?? []), StringComparer.Ordinal);
        if (cacheHome is not null)
        {
            environment["XDG_CACHE_HOME"] = cacheHome;
        }
        return new(fileName, arguments, environment);
    }
}
