using System.Security.Cryptography;

namespace Hydra.Core.Nix;

/// <summary>
/// Reads a store path that is a single regular file straight out of a binary cache directory laid
/// out like Nix's <c>file://</c> store (the farm's cache): narinfo, then its NAR file, decompressed
/// and checked against the narinfo's NarSize and NarHash, then the file inside. The server's own
/// Nix store is not involved, so this works for outputs that were only ever built on a worker.
/// </summary>
public static class CacheFileReader
{
    /// <summary>The contents of <paramref name="storePath"/>, whose NAR may be at most <paramref name="maxBytes"/>.</summary>
    /// <exception cref="FormatException">
    /// The path is not in the cache, is too large, is not a regular file, or its cache entry is corrupt;
    /// the message says which, for the person who built it.
    /// </exception>
    /// <exception cref="IOException">The cache could not be read (a retry may succeed).</exception>
    public static async Task<ReadOnlyMemory<byte>> ReadAsync(string cacheDir, string storePath, long maxBytes, CancellationToken cancellationToken)
    {
        var nar = await ReadNarAsync(cacheDir, storePath, maxBytes, cancellationToken);
        try
        {
            return NarReader.ReadRegularFile(nar);
        }
        catch (FormatException exception)
        {
            throw new FormatException($"{storePath}: {exception.Message}", exception);
        }
    }

    /// <summary>The NAR of <paramref name="storePath"/>, decompressed and checked; at most <paramref name="maxBytes"/>.</summary>
    /// <exception cref="FormatException">As for <see cref="ReadAsync"/>, except that any kind of entry is fine.</exception>
    /// <exception cref="IOException">The cache could not be read (a retry may succeed).</exception>
    public static async Task<byte[]> ReadNarAsync(string cacheDir, string storePath, long maxBytes, CancellationToken cancellationToken)
    {
        var path = StorePath.Parse(storePath);
        var narInfoPath = Path.Combine(cacheDir, path.HashPart + ".narinfo");
        if (!File.Exists(narInfoPath))
        {
            throw new FormatException($"{storePath} is not in the binary cache (it has no {path.HashPart}.narinfo).");
        }
        var info = NarInfo.Parse(await File.ReadAllTextAsync(narInfoPath, cancellationToken));
        if (info.StorePath != path.FullPath)
        {
            throw new FormatException($"{path.HashPart}.narinfo describes {info.StorePath}, not {storePath}.");
        }
        if (info.NarSize > maxBytes)
        {
            throw new FormatException($"{storePath} is {info.NarSize} bytes as a NAR, more than the limit of {maxBytes} bytes.");
        }
        var fileName = info.Url.StartsWith("nar/", StringComparison.Ordinal) ? info.Url["nar/".Length..] : "";
        if (fileName.Length == 0 || fileName.Contains('/') || fileName.StartsWith('.'))
        {
            throw new FormatException($"{path.HashPart}.narinfo has URL '{info.Url}'; a cache entry's NAR must be a file under nar/.");
        }

        var narFile = Path.Combine(cacheDir, "nar", fileName);
        if (!File.Exists(narFile))
        {
            throw new FormatException($"{storePath} is in the binary cache, but its NAR file {info.Url} is missing.");
        }
        byte[] nar;
        await using (var file = File.OpenRead(narFile))
        {
            nar = await NarCompression.DecompressAsync(file, info.Compression, info.NarSize, cancellationToken);
        }
        if (nar.LongLength != info.NarSize || !SHA256.HashData(nar).AsSpan().SequenceEqual(NixHash.ParseSha256(info.NarHash)))
        {
            throw new FormatException($"The NAR of {storePath} in the binary cache does not match its narinfo's NarSize and NarHash.");
        }
        return nar;
    }
}
