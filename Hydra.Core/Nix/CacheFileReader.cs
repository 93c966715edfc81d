using System.Security.Cryptography;
using Hydra.Core.Storage;

namespace Hydra.Core.Nix;

/// <summary>
/// Reads a store path that is a single regular file straight out of the farm's binary cache
/// (<see cref="ICacheStorage"/>, a directory or a bucket): narinfo, then its NAR file, decompressed
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
    public static async Task<ReadOnlyMemory<byte>> ReadAsync(ICacheStorage cache, string storePath, long maxBytes, CancellationToken cancellationToken)
    {
        var nar = await ReadNarAsync(cache, storePath, maxBytes, cancellationToken);
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
    public static async Task<byte[]> ReadNarAsync(ICacheStorage cache, string storePath, long maxBytes, CancellationToken cancellationToken)
    {
        var path = StorePath.Parse(storePath);
        if (await cache.ReadTextAsync(path.HashPart + ".narinfo", cancellationToken) is not { } text)
        {
            throw new FormatException($"{storePath} is not in the binary cache (it has no {path.HashPart}.narinfo).");
        }
        var info = NarInfo.Parse(text);
        if (info.StorePath != path.FullPath)
        {
            throw new FormatException($"{path.HashPart}.narinfo describes {info.StorePath}, not {storePath}.");
        }
        if (info.NarSize > maxBytes)
        {
            throw new FormatException($"{storePath} is {info.NarSize} bytes as a NAR, more than the limit of {maxBytes} bytes.");
        }
        if (!CacheNames.TryGetNarFileName(info.Url, out var fileName))
        {
            throw new FormatException($"{path.HashPart}.narinfo has URL '{info.Url}'; a cache entry's NAR must be a file under nar/.");
        }

        byte[] nar;
        await using (var file = await cache.OpenReadAsync("nar/" + fileName, cancellationToken)
            ?? throw new FormatException($"{storePath} is in the binary cache, but its NAR file {info.Url} is missing."))
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
