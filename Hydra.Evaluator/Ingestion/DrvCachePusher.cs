using System.Security.Cryptography;
using System.Text;
using Hydra.Core;
using Hydra.Core.Nix;
using Hydra.Core.Processes;
using Hydra.Evaluator.Nix;
using Microsoft.Extensions.Options;

namespace Hydra.Evaluator.Ingestion;

/// <summary>
/// Copies <c>.drv</c> closures into the farm's binary cache (same directory the server serves at
/// /cache), signed with the farm key, so builders on any machine can fetch them. Derivations the
/// cache already holds are skipped. A <c>.drv</c> is one regular file, so its NAR and narinfo are
/// written here directly; only input sources that are not derivations (builder scripts, source
/// trees) go through <c>nix copy</c>, a few hundred per process, a few processes at once.
/// </summary>
public sealed class DrvCachePusher(
    INixProcessRunner runner, IOptions<HydraOptions> hydraOptions, IOptions<EvaluatorOptions> options, IOptions<IngestionOptions> ingestionOptions)
{
    private const string DrvExtension = ".drv";

    public Task PushAsync(IReadOnlyCollection<string> drvPaths, CancellationToken cancellationToken) =>
        PushAsync(drvPaths, files: null, cancellationToken);

    /// <summary>
    /// Pushes the closures of <paramref name="drvPaths"/>; <paramref name="files"/> holds <c>.drv</c> files
    /// already read (by the step planner), so each is read and parsed once; others are read here.
    /// </summary>
    public async Task PushAsync(
        IReadOnlyCollection<string> drvPaths, IReadOnlyDictionary<string, DerivationFile>? files, CancellationToken cancellationToken)
    {
        var missing = drvPaths.Distinct(StringComparer.Ordinal).Where(p => !CacheHas(p)).ToList();
        if (missing.Count == 0)
        {
            return;
        }
        var hydra = hydraOptions.Value;
        var key = await NixSigningKey.LoadOrCreateAsync(hydra.SecretKeyFile, hydra.PublicKeyFile, hydra.SigningKeyName, cancellationToken);
        var cacheDir = Path.GetFullPath(hydra.CacheDir);
        Directory.CreateDirectory(Path.Combine(cacheDir, "nar"));

        // The ingester starts a push and goes on planning the next batch, so the file work runs on
        // the thread pool rather than on the caller's thread.
        var parallel = new ParallelOptions
        {
            MaxDegreeOfParallelism = Math.Max(1, ingestionOptions.Value.PushParallelism), CancellationToken = cancellationToken,
        };
        var (levels, sources) = await Task.Run(() => WriteNars(cacheDir, missing, files, key, parallel), cancellationToken);

        // Sources first and narinfos dependencies-first, a level at a time: a narinfo is what marks a
        // path as present (see CacheHas), so every path it announces must already have its closure in
        // the cache, even if this push dies half way.
        await CopySourcesAsync(cacheDir, sources, cancellationToken);
        await Task.Run(() =>
        {
            foreach (var level in levels)
            {
                Parallel.ForEach(level, parallel, info =>
                    WriteAtomically(cacheDir, StorePath.Parse(info.StorePath).HashPart + ".narinfo", Encoding.UTF8.GetBytes(info.ToText())));
            }
        }, cancellationToken);
    }

    /// <summary>
    /// Reads the <c>.drv</c> at <paramref name="drvPath"/> from an evaluation worker's store (<see cref="EvalStores"/>) or
    /// the machine's. Nix writes a <c>.drv</c> in place, so while one worker is still writing a derivation another worker
    /// already reported, the first store's copy can be partial: a copy that does not parse gives way to the next one
    /// (the worker that reported the job wrote its whole closure, so some store has it whole).
    /// </summary>
    public DerivationFile ReadDerivation(string drvPath)
    {
        FormatException? partial = null;
        foreach (var file in EvalStores.Candidates(hydraOptions.Value.DataDir, drvPath))
        {
            try
            {
                return DerivationFile.Read(file);
            }
            catch (FormatException exception)
            {
                partial ??= exception;
            }
            catch (FileNotFoundException) when (partial is not null)
            {
                // Only the machine's store is left, and it does not have the path either.
            }
        }
        throw partial!;
    }

    /// <summary>Whether the farm's cache already holds <paramref name="storePath"/>.</summary>
    public bool CacheHas(string storePath) =>
        StorePath.TryParse(storePath, out var path) && File.Exists(Path.Combine(hydraOptions.Value.CacheDir, path!.HashPart + ".narinfo"));

    /// <summary>
    /// Walks the missing part of the closure of <paramref name="roots"/>, writes each derivation's NAR,
    /// and returns the signed narinfos in levels (each level's derivations depend only on earlier levels
    /// or on paths the cache has) plus the missing non-derivation sources.
    /// </summary>
    private (List<NarInfo[]> Levels, List<string> Sources) WriteNars(string cacheDir, List<string> roots,
        IReadOnlyDictionary<string, DerivationFile>? files, NixSigningKey key, ParallelOptions parallel)
    {
        var missing = new Dictionary<string, DerivationFile>(StringComparer.Ordinal);
        var sources = new HashSet<string>(StringComparer.Ordinal);
        var seen = new HashSet<string>(roots, StringComparer.Ordinal);
        var pending = new Stack<string>(roots);
        while (pending.TryPop(out var path))
        {
            parallel.CancellationToken.ThrowIfCancellationRequested();
            var file = files?.GetValueOrDefault(path) ?? ReadDerivation(path);
            missing[path] = file;
            foreach (var input in DerivationLevels.InputsOf(file.Derivation))
            {
                if (seen.Add(input) && !CacheHas(input))
                {
                    pending.Push(input);
                }
            }
            sources.UnionWith(file.Derivation.InputSrcs.Where(s => !IsDerivation(s)));
        }

        var levels = new List<NarInfo[]>();
        foreach (var level in DerivationLevels.Of(missing.ToDictionary(m => m.Key, m => m.Value.Derivation, StringComparer.Ordinal)))
        {
            var infos = new NarInfo[level.Count];
            Parallel.For(0, level.Count, parallel, i => infos[i] = WriteNar(cacheDir, level[i], missing[level[i]], key));
            levels.Add(infos);
        }
        return (levels, sources.Where(s => !CacheHas(s)).Order(StringComparer.Ordinal).ToList());
    }

    private static NarInfo WriteNar(string cacheDir, string drvPath, DerivationFile file, NixSigningKey key)
    {
        var (contents, derivation) = file;
        var nar = NarWriter.RegularFile(contents);
        var narHash = NixBase32.Encode(SHA256.HashData(nar));
        var narFile = "nar/" + narHash + ".nar";
        WriteAtomically(cacheDir, narFile, nar);
        var info = new NarInfo
        {
            StorePath = drvPath,
            Url = narFile,
            Compression = "none",
            FileHash = "sha256:" + narHash,
            FileSize = nar.Length,
            NarHash = "sha256:" + narHash,
            NarSize = nar.Length,
            References = derivation.InputDrvs.Keys.Concat(derivation.InputSrcs)
                .Select(p => StorePath.Parse(p).BaseName).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList(),
            // Derivations are text-hashed store paths: Nix records this so substituters can check the
            // path against its contents and references, as for the narinfos Nix writes itself.
            Ca = "text:sha256:" + NixBase32.Encode(SHA256.HashData(contents)),
        };
        info.SignWith(key);
        return info;
    }

    /// <summary>Writes under a unique temporary name in the same directory, then renames, so readers never see a partial file.</summary>
    private static void WriteAtomically(string cacheDir, string relativePath, byte[] bytes)
    {
        var target = Path.Combine(cacheDir, relativePath);
        var temporary = Path.Combine(Path.GetDirectoryName(target)!, "." + Path.GetFileName(target) + "." + Guid.NewGuid().ToString("N") + ".tmp");
        using (var handle = File.OpenHandle(temporary, FileMode.CreateNew, FileAccess.Write))
        {
            RandomAccess.Write(handle, bytes, fileOffset: 0);
        }

        File.Move(temporary, target, overwrite: true);
    }

    private static bool IsDerivation(string storePath) => storePath.EndsWith(DrvExtension, StringComparison.Ordinal);

    private async Task CopySourcesAsync(string cacheDir, List<string> sources, CancellationToken cancellationToken)
    {
        if (sources.Count == 0)
        {
            return;
        }
        var store = $"file://{cacheDir}?compression={options.Value.CacheCompression}&secret-key={Path.GetFullPath(hydraOptions.Value.SecretKeyFile)}";
        var batching = ingestionOptions.Value;
        var parallel = new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, batching.PushParallelism), CancellationToken = cancellationToken };
        // Each source is copied from the store the evaluation put it in (null: the machine's).
        var batches = sources.GroupBy(source => EvalStores.RootOf(hydraOptions.Value.DataDir, source))
            .SelectMany(group => group.Chunk(Math.Max(1, batching.PushBatchSize)).Select(batch => (From: group.Key, Paths: batch)));
        await Parallel.ForEachAsync(batches, parallel,
            async (batch, token) => await CopyAsync(store, batch.From, batch.Paths, token));
    }

    private async Task CopyAsync(string store, string? fromRoot, string[] storePaths, CancellationToken cancellationToken)
    {
        var errors = new StringBuilder();
        string[] arguments =
        [
            "copy", "--extra-experimental-features", "nix-command",
            .. fromRoot is null ? Array.Empty<string>() : ["--from", EvalStores.StoreUrl(fromRoot)],
            "--to", store, .. storePaths,
        ];
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
            throw new IOException($"Copying input sources to the binary cache failed (exit {exitCode}): {errors.ToString().Trim()}");
        }
    }
}
