using Hydra.Core.Nix;
using Hydra.Core.Storage;

namespace Hydra.Web.Gc;

/// <summary>A narinfo in the cache: its hash part, its contents, and its object's size and age.</summary>
public sealed record StoredNarInfo(string HashPart, NarInfo Info, long Size, DateTimeOffset Modified);

/// <summary>A NAR file in the cache.</summary>
public sealed record StoredNar(string FileName, long Size, DateTimeOffset Modified);

/// <summary>
/// What garbage collection needs of the cache's storage: list narinfos and NARs with their sizes and ages (for the
/// grace period), delete one of each. Works over any <see cref="ICacheStorage"/>: the directory (file times) or an S3
/// bucket (the listing's <c>LastModified</c>).
/// </summary>
public sealed class CacheGcStorage(ICacheStorage store)
{
    public async Task<List<StoredNarInfo>> ListNarInfosAsync(CancellationToken cancellationToken)
    {
        var narInfos = new List<StoredNarInfo>();
        await foreach (var entry in store.ListAsync("", cancellationToken))
        {
            var hash = entry.Name.EndsWith(".narinfo", StringComparison.Ordinal) ? entry.Name[..^".narinfo".Length] : null;
            if (!CacheNames.IsHashPart(hash))
            {
                continue;
            }
            NarInfo info;
            try
            {
                // Deleted since the listing: gone already, nothing to judge.
                if (await store.ReadTextAsync(entry.Key, cancellationToken) is not { } text)
                {
                    continue;
                }
                info = NarInfo.Parse(text);
            }
            catch (FormatException)
            {
                // Unreadable: not ours to judge; it stays.
                continue;
            }
            narInfos.Add(new StoredNarInfo(hash, info, entry.Size, entry.Modified));
        }
        return narInfos;
    }

    public async Task<List<StoredNar>> ListNarsAsync(CancellationToken cancellationToken)
    {
        var nars = new List<StoredNar>();
        await foreach (var entry in store.ListAsync("nar/", cancellationToken))
        {
            nars.Add(new StoredNar(entry.Name, entry.Size, entry.Modified));
        }
        return nars;
    }

    public Task DeleteNarInfoAsync(string hashPart, CancellationToken cancellationToken) => store.DeleteAsync(hashPart + ".narinfo", cancellationToken);

    public Task DeleteNarAsync(string fileName, CancellationToken cancellationToken) => store.DeleteAsync("nar/" + fileName, cancellationToken);
}
