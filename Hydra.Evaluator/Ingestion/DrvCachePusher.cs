using System.Security.Cryptography;
using System.Text;
using Hydra.Core;
using Hydra.Core.Nix;
using Hydra.Core.Processes;
using Hydra.Core.Storage;
using Hydra.Evaluator.Nix;
using Microsoft.Extensions.Options;

namespace Hydra.Evaluator.Ingestion;

/// <summary>
/// Copies <c>.drv</c> closures into the farm's binary cache (<see cref="ICacheStorage"/>: the directory the server serves
/// at /cache, or an S3 bucket), signed with the farm key, so builders on any machine can fetch them. Derivations the
/// cache already holds are skipped. A <c>.drv</c> is one regular file, so its NAR and narinfo are written here
/// directly; only input sources that are not derivations (builder scripts, source trees) go through <c>nix copy</c>,
/// a few hundred per process, a few processes at once: straight into the cache directory, or, when the cache is not
/// a local directory, into a staging <c>file://</c> store that <see cref="CacheImport"/> then uploads.
/// </summary>
public sealed class DrvCachePusher(
    INixProcessRunner runner, ICacheStorage storage, IOptions<HydraOptions> hydraOptions, IOptions<EvaluatorOptions> options,
    IOptions<IngestionOptions> ingestionOptions)
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
        var missing = new List<string>();
        foreach (var drvPath in drvPaths.Distinct(StringComparer.Ordinal))
        {
            if (!await CacheHasAsync(drvPath, cancellationToken))
            {
                missing.Add(drvPath);
            }
        }
        if (missing.Count == 0)
        {
            return;
        }
        var hydra = hydraOptions.Value;
        var key = await NixSigningKey.LoadOrCreateAsync(hydra.SecretKeyFile, hydra.PublicKeyFile, hydra.SigningKeyName, cancellationToken);

        // The ingester starts a push and goes on planning the next batch, so the file work runs on
        // the thread pool rather than on the caller's thread.
        var parallel = new ParallelOptions
        {
            MaxDegreeOfParallelism = Math.Max(1, ingestionOptions.Value.PushParallelism), CancellationToken = cancellationToken,
        };
        var (levels, sources) = await Task.Run(() => WriteNarsAsync(missing, files, key, parallel), cancellationToken);

        // Sources first and narinfos dependencies-first, a level at a time: a narinfo is what marks a
        // path as present (see CacheHasAsync), so every path it announces must already have its closure in
        // the cache, even if this push dies half way.
        await CopySourcesAsync(sources, cancellationToken);
        foreach (var level in levels)
        {
            await Parallel.ForEachAsync(level, parallel, async (info, token) =>
                await WriteAsync(StorePath.Parse(info.StorePath).HashPart + ".narinfo", Encoding.UTF8.GetBytes(info.ToText()), token));
        }
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
    public ValueTask<bool> CacheHasAsync(string storePath, CancellationToken cancellationToken) =>
        new(storage.HasAsync(storePath, cancellationToken));

    /// <summary>
    /// Walks the missing part of the closure of <paramref name="roots"/>, writes each derivation's NAR,
    /// and returns the signed narinfos in levels (each level's derivations depend only on earlier levels
    /// or on paths the cache has) plus the missing non-derivation sources.
    /// </summary>
    private async Task<(List<NarInfo[]> Levels, List<string> Sources)> WriteNarsAsync(List<string> roots,
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
                if (seen.Add(input) && !await CacheHasAsync(input, parallel.CancellationToken))
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
            await Parallel.ForEachAsync(Enumerable.Range(0, level.Count), parallel,
                async (i, token) => infos[i] = await WriteNarAsync(level[i], missing[level[i]], key, token));
            levels.Add(infos);
        }
        var missingSources = new List<string>();
        foreach (var source in sources.Order(StringComparer.Ordinal))
        {
            if (!await CacheHasAsync(source, parallel.CancellationToken))
            {
                missingSources.Add(source);
            }
        }
        return (levels, missingSources);
    }

    private async Task<NarInfo> WriteNarAsync(string drvPath, DerivationFile file, NixSigningKey key, CancellationToken cancellationToken)
    {
        var (contents, derivation) = file;
        var nar = NarWriter.RegularFile(contents);
        var narHash = NixBase32.Encode(SHA256.HashData(nar));
        var narFile = "nar/" + narHash + ".nar";
        await WriteAsync(narFile, nar, cancellationToken);
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

    /// <summary>Writes one object; the storage makes it visible whole or not at all.</summary>
    private async Task WriteAsync(string key, byte[] bytes, CancellationToken cancellationToken)
    {
        using var content = new MemoryStream(bytes, writable: false);
        var result = await storage.WriteAsync(key, content, long.MaxValue, null, cancellationToken);
        if (result != CacheWriteResult.Stored)
        {
            throw new IOException($"Writing {key} to the binary cache failed: {result}.");
        }
    }

    private static bool IsDerivation(string storePath) => storePath.EndsWith(DrvExtension, StringComparison.Ordinal);

    /// <summary>
    /// Copies the sources with <c>nix copy</c>: into the cache directory itself when the storage is one, else into a
    /// staging store in the data directory that is uploaded (<see cref="CacheImport"/>) and removed afterwards.
    /// </summary>
    private async Task CopySourcesAsync(List<string> sources, CancellationToken cancellationToken)
    {
        if (sources.Count == 0)
        {
            return;
        }
        if (storage.LocalDirectory is { } cacheDir)
        {
            await CopySourcesToAsync(cacheDir, sources, cancellationToken);
            return;
        }
        var staging = Path.Combine(hydraOptions.Value.DataDir, "tmp", "drv-push-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(staging);
        try
        {
            await CopySourcesToAsync(staging, sources, cancellationToken);
            await CacheImport.ImportAsync(storage, staging, cancellationToken);
        }
        finally
        {
            Directory.Delete(staging, recursive: true);
        }
    }

    private async Task CopySourcesToAsync(string cacheDir, List<string> sources, CancellationToken cancellationToken)
    {
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
