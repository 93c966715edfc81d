using System.Net;
using Hydra.Builder.Configuration;
using Hydra.Builder.Nix.Serve;
using Hydra.Core.Nix;
using Microsoft.Extensions.Logging;

namespace Hydra.Builder.Upload;

/// <summary>
/// Pushes store paths to the farm's binary cache the way <c>nix copy --to</c> does, in-process: the NAR comes
/// from a <c>nix-store --serve</c> session, is checked against the store's NAR hash, compressed, and PUT as
/// <c>nar/&lt;file hash&gt;.nar.&lt;ext&gt;</c>, then its narinfo (unsigned: the server signs). The
/// <see cref="HttpClient"/> carries the worker token (<see cref="UploadClient"/>).
/// </summary>
public sealed class CacheUploader(HttpClient http, NixServePool serve, BuilderOptions options, ILogger<CacheUploader> logger)
{
    /// <summary>NARs this small are stored uncompressed: compression would save a few bytes at best.</summary>
    public const long CompressFromBytes = 4096;

    /// <summary>
    /// Uploads <paramref name="paths"/> that the cache lacks, and any of their references it lacks too.
    /// A reference the cache has is taken to have its closure there: everything reaches the cache through an
    /// upload like this one, which sends a path's missing references first. So only direct references are
    /// asked about, not the whole closure (which grows with every link of a chain).
    /// </summary>
    /// <param name="knownMissing">
    /// Paths not to ask about, known to be missing: a step's only output, which the server found missing when it
    /// handed the step out (it finishes a step whose outputs are all cached at the claim instead).
    /// </param>
    /// <exception cref="HttpRequestException">The cache refused an upload or could not be reached.</exception>
    public async Task UploadAsync(
        Uri cacheUrl, IReadOnlyList<ServePathInfo> paths, CancellationToken cancellationToken, IReadOnlySet<string>? knownMissing = null)
    {
        knownMissing ??= new HashSet<string>();
        var infos = paths.ToDictionary(p => p.Path, StringComparer.Ordinal);
        var missing = new List<ServePathInfo>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var path in paths)
        {
            await CollectMissingAsync(cacheUrl, path, infos, seen, knownMissing, missing, cancellationToken);
        }

        // CollectMissingAsync adds a path after its references, so uploading in order keeps the cache closed.
        foreach (var info in missing)
        {
            await UploadOneAsync(cacheUrl, info, cancellationToken);
        }
    }

    private async Task CollectMissingAsync(
        Uri cacheUrl, ServePathInfo info, Dictionary<string, ServePathInfo> infos, HashSet<string> seen, IReadOnlySet<string> knownMissing,
        List<ServePathInfo> missing, CancellationToken cancellationToken)
    {
        if (!seen.Add(info.Path))
        {
            return;
        }

        if (!knownMissing.Contains(info.Path) && await HasNarInfoAsync(cacheUrl, info.Path, cancellationToken))
        {
            BuilderLog.AlreadyCached(logger, info.Path);
            return;
        }

        var unknown = info.References.Where(r => r != info.Path && !infos.ContainsKey(r)).ToList();
        if (unknown.Count > 0)
        {
            foreach (var reference in await serve.UseAsync(s => s.QueryPathInfosAsync(unknown, cancellationToken), cancellationToken))
            {
                infos[reference.Path] = reference;
            }
        }

        foreach (var reference in info.References.Where(r => r != info.Path))
        {
            if (!infos.TryGetValue(reference, out var referenceInfo))
            {
                throw new InvalidOperationException($"{info.Path} refers to {reference}, which is not valid in the local store.");
            }

            await CollectMissingAsync(cacheUrl, referenceInfo, infos, seen, knownMissing, missing, cancellationToken);
        }

        missing.Add(info);
    }

    private async Task<bool> HasNarInfoAsync(Uri cacheUrl, string storePath, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Head, CacheFile(cacheUrl, StorePath.Parse(storePath).HashPart + ".narinfo"));
        using var response = await http.SendAsync(request, cancellationToken);
        if (response.StatusCode == HttpStatusCode.NotFound)
        {
            return false;
        }

        response.EnsureSuccessStatusCode();
        return true;
    }

    private async Task UploadOneAsync(Uri cacheUrl, ServePathInfo info, CancellationToken cancellationToken)
    {
        var compression = info.NarSize >= CompressFromBytes ? "br" : "none";
        await using var file = await NarFile.CreateAsync(info, compression, serve, Path.Combine(options.WorkDir, "uploads"), cancellationToken);

        var narName = $"{file.FileHash}.nar{(compression == "none" ? "" : "." + compression)}";
        using (var content = new StreamContent(file.Open()))
        {
            content.Headers.ContentLength = file.Length;
            using var response = await http.PutAsync(CacheFile(cacheUrl, "nar/" + narName), content, cancellationToken);
            response.EnsureSuccessStatusCode();
        }

        var narInfo = new NarInfo
        {
            StorePath = info.Path,
            Url = "nar/" + narName,
            Compression = compression,
            FileHash = "sha256:" + file.FileHash,
            FileSize = file.Length,
            NarHash = info.NarHash,
            NarSize = info.NarSize,
            References = [.. info.References.Select(r => StorePath.Parse(r).BaseName)],
            Deriver = info.Deriver is null ? null : StorePath.Parse(info.Deriver).BaseName,
            Ca = info.Ca,
        };
        using (var content = new StringContent(narInfo.ToText(), System.Text.Encoding.UTF8, "text/x-nix-narinfo"))
        {
            using var response = await http.PutAsync(CacheFile(cacheUrl, StorePath.Parse(info.Path).HashPart + ".narinfo"), content, cancellationToken);
            response.EnsureSuccessStatusCode();
        }

        BuilderLog.Uploaded(logger, info.Path, info.NarSize, file.Length, compression);
    }

    private static Uri CacheFile(Uri cacheUrl, string relativePath) =>
        new(cacheUrl.AbsoluteUri.TrimEnd('/') + "/" + relativePath);
}
