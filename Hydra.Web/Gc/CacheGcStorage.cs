using Hydra.Core.Nix;
using Hydra.Web.Cache;
using Hydra.Web.Cache.Storage;

namespace Hydra.Web.Gc;

/// <summary>A narinfo in the cache: its hash part, its contents, and its file's size and age.</summary>
public sealed record StoredNarInfo(string HashPart, NarInfo Info, long Size, DateTimeOffset Modified);

/// <summary>A NAR file in the cache.</summary>
public sealed record StoredNar(string FileName, long Size, DateTimeOffset Modified);

/// <summary>
/// What garbage collection needs of the cache's storage: list narinfos and NARs, delete one of each. The one seam
/// between <see cref="CacheGarbageCollector"/> and where the cache keeps its files: the directory of
/// <see cref="DirectoryCacheStorage"/> (file ages for the grace period, NARs no narinfo names). The S3 storage has no
/// version of this class yet, so there collection finds nothing to delete (docs/channels.md).
/// </summary>
public sealed class CacheGcStorage(DirectoryCacheStorage store)
{
    public IEnumerable<StoredNarInfo> ListNarInfos()
    {
        if (!Directory.Exists(store.Root))
        {
            yield break;
        }
        foreach (var file in new DirectoryInfo(store.Root).EnumerateFiles("*.narinfo"))
        {
            var hash = Path.GetFileNameWithoutExtension(file.Name);
            if (!CacheNames.IsHashPart(hash))
            {
                continue;
            }
            NarInfo info;
            try
            {
                info = NarInfo.Parse(File.ReadAllText(file.FullName));
            }
            catch (Exception exception) when (exception is FormatException or IOException)
            {
                // Unreadable or deleted meanwhile: not ours to judge; it stays.
                continue;
            }
            yield return new StoredNarInfo(hash, info, file.Length, file.LastWriteTimeUtc);
        }
    }

    public IEnumerable<StoredNar> ListNars()
    {
        var directory = new DirectoryInfo(Path.Combine(store.Root, "nar"));
        if (!directory.Exists)
        {
            yield break;
        }
        foreach (var file in directory.EnumerateFiles())
        {
            // Temporary files of uploads in progress start with a dot and are not NARs yet.
            if (CacheNames.IsFileName(file.Name))
            {
                yield return new StoredNar(file.Name, file.Length, file.LastWriteTimeUtc);
            }
        }
    }

    public void DeleteNarInfo(string hashPart) => store.Delete(hashPart + ".narinfo");

    public void DeleteNar(string fileName) => store.Delete("nar/" + fileName);
}
