using System.Text;
using Hydra.Core;
using Hydra.Core.Nix;
using Hydra.Core.Processes;
using Microsoft.Extensions.Options;

namespace Hydra.Evaluator.Ingestion;

/// <summary>
/// Copies <c>.drv</c> closures into the farm's binary cache (same directory the server serves at
/// /cache), signed with the farm key, so builders on any machine can fetch them. Derivations the
/// cache already holds are skipped; the rest go a few hundred per <c>nix copy</c>, a few processes at once.
/// </summary>
public sealed class DrvCachePusher(
    INixProcessRunner runner, IOptions<HydraOptions> hydraOptions, IOptions<EvaluatorOptions> options, IOptions<IngestionOptions> ingestionOptions)
{
    public async Task PushAsync(IReadOnlyCollection<string> drvPaths, CancellationToken cancellationToken)
    {
        var missing = drvPaths.Distinct(StringComparer.Ordinal).Where(p => !CacheHas(p)).ToList();
        if (missing.Count == 0)
        {
            return;
        }
        var hydra = hydraOptions.Value;
        await NixSigningKey.LoadOrCreateAsync(hydra.SecretKeyFile, hydra.PublicKeyFile, hydra.SigningKeyName, cancellationToken);
        var cacheDir = Path.GetFullPath(hydra.CacheDir);
        Directory.CreateDirectory(cacheDir);
        var store = $"file://{cacheDir}?compression={options.Value.CacheCompression}&secret-key={Path.GetFullPath(hydra.SecretKeyFile)}";
        var batching = ingestionOptions.Value;
        var parallel = new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, batching.PushParallelism), CancellationToken = cancellationToken };
        await Parallel.ForEachAsync(missing.Chunk(Math.Max(1, batching.PushBatchSize)), parallel,
            async (batch, token) => await CopyAsync(store, batch, token));
    }

    /// <summary>Whether the farm's cache already holds <paramref name="storePath"/>.</summary>
    public bool CacheHas(string storePath) =>
        StorePath.TryParse(storePath, out var path) && File.Exists(Path.Combine(hydraOptions.Value.CacheDir, path!.HashPart + ".narinfo"));

    private async Task CopyAsync(string store, string[] drvPaths, CancellationToken cancellationToken)
    {
        var errors = new StringBuilder();
        string[] arguments = ["copy", "--extra-experimental-features", "nix-command", "--derivation", "--to", store, .. drvPaths];
        var exitCode = await runner.RunAsync(new NixProcessRequest("nix", arguments, new Dictionary<string, string>()),
            line =>
            {
                if (line.IsStandardError)
                {
                    lock (errors)
                    {
                        errors.AppendLine(line.Text);
                    }
                }
            }, cancellationToken);
        if (exitCode != 0)
        {
            throw new IOException($"Copying derivations to the binary cache failed (exit {exitCode}): {errors.ToString().Trim()}");
        }
    }
}
