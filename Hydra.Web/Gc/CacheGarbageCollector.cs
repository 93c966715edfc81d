using Hydra.Core.Nix;
using Hydra.Core.Storage;
using Hydra.Web.Cache;
using Microsoft.Extensions.Options;

namespace Hydra.Web.Gc;

/// <summary>
/// Garbage collection of the binary cache. Live are the narinfos of <see cref="GcRoots"/> and everything they
/// reference, transitively (narinfo <c>References</c>, so a kept path's runtime closure stays substitutable). A
/// narinfo that is not live and older than the grace period goes; then a NAR file that no remaining narinfo names
/// and that is older than the grace period goes. Narinfos are deleted first, so a client never finds a narinfo
/// whose NAR is gone; NARs are judged again against the narinfos left after that, so a NAR a new narinfo took up
/// meanwhile stays.
/// </summary>
public sealed partial class CacheGarbageCollector(
    GcRoots roots, CacheGcStorage storage, CacheNarIndex narIndex, IOptions<GcOptions> options, TimeProvider timeProvider, ILogger<CacheGarbageCollector> logger)
{
    /// <summary>What a collection would delete, deleting nothing.</summary>
    public Task<GcReport> PlanAsync(CancellationToken cancellationToken) => CollectAsync(dryRun: true, cancellationToken);

    /// <summary>Deletes what <see cref="PlanAsync"/> lists and reports what was deleted.</summary>
    public Task<GcReport> RunAsync(CancellationToken cancellationToken) => CollectAsync(dryRun: false, cancellationToken);

    private async Task<GcReport> CollectAsync(bool dryRun, CancellationToken cancellationToken)
    {
        var rootPaths = await roots.LoadAsync(cancellationToken);
        var cutoff = timeProvider.GetUtcNow() - options.Value.GracePeriod;
        var narInfos = (await storage.ListNarInfosAsync(cancellationToken)).ToDictionary(n => n.HashPart);
        var live = Closure(rootPaths, narInfos);
        var young = narInfos.Values.Count(n => n.Modified > cutoff && !live.Contains(n.HashPart));
        var doomed = narInfos.Values.Where(n => !live.Contains(n.HashPart) && n.Modified <= cutoff)
            .OrderBy(n => n.Info.StorePath, StringComparer.Ordinal).ToList();
        var doomedHashes = doomed.Select(n => n.HashPart).ToHashSet(StringComparer.Ordinal);

        if (!dryRun)
        {
            foreach (var narInfo in doomed)
            {
                cancellationToken.ThrowIfCancellationRequested();
                await storage.DeleteNarInfoAsync(narInfo.HashPart, cancellationToken);
            }
            // Judge the NARs against what is there now: an upload may have named one of them since the listing.
            narInfos = (await storage.ListNarInfosAsync(cancellationToken)).ToDictionary(n => n.HashPart);
        }
        var named = narInfos.Values.Where(n => !dryRun || !doomedHashes.Contains(n.HashPart))
            .Select(n => CacheNames.TryGetNarFileName(n.Info.Url, out var file) ? file : null).OfType<string>().ToHashSet(StringComparer.Ordinal);
        var unnamedNars = (await storage.ListNarsAsync(cancellationToken)).Where(n => !named.Contains(n.FileName) && n.Modified <= cutoff)
            .OrderBy(n => n.FileName, StringComparer.Ordinal).ToList();
        if (!dryRun)
        {
            foreach (var nar in unnamedNars)
            {
                cancellationToken.ThrowIfCancellationRequested();
                await storage.DeleteNarAsync(nar.FileName, cancellationToken);
            }
            await narIndex.ForgetAsync([.. unnamedNars.Select(n => "nar/" + n.FileName)], [.. doomed.Select(n => n.Info.StorePath)],
                doomed.Select(n => n.Info.Url), cancellationToken);
            LogCollected(doomed.Count, unnamedNars.Count, doomed.Sum(n => n.Size) + unnamedNars.Sum(n => n.Size));
        }

        return new GcReport(dryRun, rootPaths.Count, live.Count, young,
            [.. doomed.Select(n => n.Info.StorePath)], [.. unnamedNars.Select(n => n.FileName)],
            doomed.Sum(n => n.Size) + unnamedNars.Sum(n => n.Size));
    }

    /// <summary>Hash parts of the cached roots and of everything they reference, transitively.</summary>
    private static HashSet<string> Closure(IReadOnlySet<string> rootPaths, Dictionary<string, StoredNarInfo> narInfos)
    {
        var live = new HashSet<string>(StringComparer.Ordinal);
        var pending = new Stack<string>();
        foreach (var path in rootPaths)
        {
            if (StorePath.TryParse(path, out var storePath))
            {
                pending.Push(storePath.HashPart);
            }
        }
        while (pending.TryPop(out var hash))
        {
            if (!narInfos.TryGetValue(hash, out var narInfo) || !live.Add(hash))
            {
                continue;
            }
            foreach (var reference in narInfo.Info.References)
            {
                // References are base names ("<hash>-<name>"); the hash is what the narinfo is named by.
                if (reference.Length > StorePath.HashLength)
                {
                    pending.Push(reference[..StorePath.HashLength]);
                }
            }
        }
        return live;
    }

    [LoggerMessage(EventId = 7200, Level = LogLevel.Information, Message = "Cache garbage collection deleted {NarInfos} narinfo(s) and {Nars} NAR(s), {Bytes} bytes")]
    private partial void LogCollected(int narInfos, int nars, long bytes);
}
