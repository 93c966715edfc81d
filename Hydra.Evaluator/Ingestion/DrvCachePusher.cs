using System.Text;
using Hydra.Core;
using Hydra.Core.Nix;
using Hydra.Core.Processes;
using Microsoft.Extensions.Options;

namespace Hydra.Evaluator.Ingestion;

/// <summary>
/// Copies the evaluated <c>.drv</c> closures into the farm's binary cache (same directory the
/// server serves at /cache), signed with the farm key, so builders on any machine can fetch them.
/// </summary>
public sealed class DrvCachePusher(INixProcessRunner runner, IOptions<HydraOptions> hydraOptions, IOptions<EvaluatorOptions> options)
{
    public async Task PushAsync(IReadOnlyCollection<string> drvPaths, CancellationToken cancellationToken)
    {
        if (drvPaths.Count == 0)
        {
            return;
        }
        var hydra = hydraOptions.Value;
        await NixSigningKey.LoadOrCreateAsync(hydra.SecretKeyFile, hydra.PublicKeyFile, hydra.SigningKeyName, cancellationToken);
        var cacheDir = Path.GetFullPath(hydra.CacheDir);
        Directory.CreateDirectory(cacheDir);
        var store = $"file://{cacheDir}?compression={options.Value.CacheCompression}&secret-key={Path.GetFullPath(hydra.SecretKeyFile)}";
        var errors = new StringBuilder();
        string[] arguments = ["copy", "--extra-experimental-features", "nix-command", "--derivation", "--to", store, .. drvPaths];
        var exitCode = await runner.RunAsync(new NixProcessRequest("nix", arguments, new Dictionary<string, string>()),
            line => { if (line.IsStandardError) { errors.AppendLine(line.Text); } }, cancellationToken);
        if (exitCode != 0)
        {
            throw new IOException($"Copying derivations to the binary cache failed (exit {exitCode}): {errors.ToString().Trim()}");
        }
    }

    /// <summary>Whether the farm's cache already holds <paramref name="storePath"/>.</summary>
    public bool CacheHas(string storePath) =>
        StorePath.TryParse(storePath, out var path) && File.Exists(Path.Combine(hydraOptions.Value.CacheDir, path!.HashPart + ".narinfo"));
}
