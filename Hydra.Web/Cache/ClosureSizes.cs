using Hydra.Core.Nix;
using Hydra.Core.Storage;
using Microsoft.Extensions.Caching.Memory;

namespace Hydra.Web.Cache;

/// <summary>
/// Closure sizes of store paths, from the farm cache's narinfo files: the NAR sizes of a path and everything it
/// refers to, directly or not. A store path's narinfo never changes, so the parsed references and sizes are kept
/// in memory and shared by every page that asks (builds of one job share most of their closures).
/// </summary>
public sealed class ClosureSizes(ICacheStorage storage, IMemoryCache cache)
{
    private const string StoreDirectory = "/nix/store/";

    /// <summary>The size of the union of the closures of <paramref name="paths"/>, or null when a path in it is not in the cache.</summary>
    public async Task<long?> OfAsync(IEnumerable<string> paths, CancellationToken cancellationToken)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var pending = new Stack<string>(paths.Select(p => p.StartsWith(StoreDirectory, StringComparison.Ordinal) ? p[StoreDirectory.Length..] : p));
        long total = 0;
        while (pending.TryPop(out var baseName))
        {
            if (!seen.Add(baseName))
            {
                continue;
            }
            if (await EntryAsync(baseName, cancellationToken) is not { } entry)
            {
                return null;
            }
            total += entry.NarSize;
            foreach (var reference in entry.References)
            {
                pending.Push(reference);
            }
        }
        return seen.Count == 0 ? null : total;
    }

    private async Task<Entry?> EntryAsync(string baseName, CancellationToken cancellationToken)
    {
        var key = $"hydra:closure-entry:{baseName}";
        if (cache.TryGetValue(key, out Entry? known))
        {
            return known;
        }
        var hashPart = baseName.Split('-', 2)[0];
        if (await storage.ReadTextAsync(hashPart + ".narinfo", cancellationToken) is not { } text)
        {
            // Not cached (yet): not remembered either, so the size appears once it is uploaded.
            return null;
        }

        var info = NarInfo.Parse(text);
        var entry = new Entry(info.NarSize, [.. info.References.Where(r => r != baseName)]);
        cache.Set(key, entry, new MemoryCacheEntryOptions { SlidingExpiration = TimeSpan.FromHours(1) });
        return entry;
    }

    private sealed record Entry(long NarSize, string[] References);
}
