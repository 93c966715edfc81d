using Hydra.Core.Nix;
using Hydra.Core.Storage;
using Microsoft.Extensions.Caching.Memory;

namespace Hydra.Web.Products;

/// <summary>
/// Build outputs' NARs for product downloads, read from the cache's storage (<see cref="ICacheStorage"/>) as streams:
/// a first pass decompresses the NAR on the fly into its listing (<see cref="NarNode"/>) and checks it against the
/// narinfo's NarSize and NarHash; serving a file decompresses the NAR again up to the file and copies just its bytes.
/// Memory is the listing and a few buffers, whatever the NAR's size. Listings are remembered by NAR name (a content
/// hash, so it never changes), so later downloads from the same output take one pass.
/// </summary>
internal static class ProductNars
{
    private const int BufferSize = 64 * 1024;
    private static readonly TimeSpan s_rememberFor = TimeSpan.FromMinutes(10);

    /// <summary>An output's listing and where its NAR is.</summary>
    public sealed record Listing(NarNode Root, string NarKey, string? Compression);

    /// <summary>The listing of <paramref name="storePath"/>'s NAR.</summary>
    /// <exception cref="FormatException">The path is not in the cache, or its entry is corrupt; the message says which.</exception>
    public static async Task<Listing> ListAsync(ICacheStorage storage, IMemoryCache memory, string storePath, CancellationToken cancellationToken)
    {
        var path = StorePath.Parse(storePath);
        if (await storage.ReadTextAsync(path.HashPart + ".narinfo", cancellationToken) is not { } text)
        {
            throw new FormatException($"{storePath} is not in the binary cache (it has no {path.HashPart}.narinfo).");
        }
        var info = NarInfo.Parse(text);
        if (info.StorePath != path.FullPath)
        {
            throw new FormatException($"{path.HashPart}.narinfo describes {info.StorePath}, not {storePath}.");
        }
        if (!CacheNames.TryGetNarFileName(info.Url, out var narName))
        {
            throw new FormatException($"{path.HashPart}.narinfo has URL '{info.Url}'; a cache entry's NAR must be a file under nar/.");
        }

        var narKey = "nar/" + narName;
        var memoryKey = $"hydra:nar-listing:{narKey}:{info.NarHash}";
        if (memory.TryGetValue(memoryKey, out Listing? known) && known is not null)
        {
            return known;
        }

        NarNode root;
        long size;
        byte[] sha256;
        await using (var nar = await OpenAsync(storage, narKey, info.Compression, storePath, cancellationToken))
        {
            try
            {
                (root, size, sha256) = await NarNode.ReadAsync(nar, cancellationToken);
            }
            catch (InvalidDataException exception)
            {
                throw new FormatException($"The NAR of {storePath} is corrupt: {exception.Message}", exception);
            }
        }
        if (size != info.NarSize || !sha256.AsSpan().SequenceEqual(NixHash.ParseSha256(info.NarHash)))
        {
            throw new FormatException($"The NAR of {storePath} in the binary cache does not match its narinfo's NarSize and NarHash.");
        }

        var listing = new Listing(root, narKey, info.Compression);
        memory.Set(memoryKey, listing, new MemoryCacheEntryOptions { SlidingExpiration = s_rememberFor });
        return listing;
    }

    /// <summary>Copies <paramref name="file"/>'s bytes out of the listed NAR to <paramref name="target"/>, streaming.</summary>
    public static async Task CopyFileAsync(ICacheStorage storage, Listing listing, NarNode.Regular file, Stream target, CancellationToken cancellationToken)
    {
        await using var nar = await OpenAsync(storage, listing.NarKey, listing.Compression, listing.NarKey, cancellationToken);
        var buffer = new byte[BufferSize];
        await CopyAsync(nar, Stream.Null, file.Offset, buffer, cancellationToken);
        await CopyAsync(nar, target, file.Size, buffer, cancellationToken);
    }

    private static async Task<Stream> OpenAsync(ICacheStorage storage, string narKey, string? compression, string what, CancellationToken cancellationToken)
    {
        var compressed = await storage.OpenReadAsync(narKey, cancellationToken)
            ?? throw new FormatException($"{what} is in the binary cache, but its NAR file {narKey} is missing.");
        try
        {
            return new BufferedStream(NarCompression.OpenRead(compressed, compression), BufferSize);
        }
        catch
        {
            await compressed.DisposeAsync();
            throw;
        }
    }

    /// <summary>Copies exactly <paramref name="count"/> bytes; a NAR that ends sooner is corrupt.</summary>
    private static async Task CopyAsync(Stream source, Stream target, long count, byte[] buffer, CancellationToken cancellationToken)
    {
        while (count > 0)
        {
            var read = await source.ReadAsync(buffer.AsMemory(0, (int)Math.Min(count, buffer.Length)), cancellationToken);
            if (read == 0)
            {
                throw new FormatException("The NAR ends before the file it lists.");
            }
            await target.WriteAsync(buffer.AsMemory(0, read), cancellationToken);
            count -= read;
        }
    }
}
