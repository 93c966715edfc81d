using Hydra.Core.Nix;

namespace Hydra.Core.Storage;

/// <summary>Whether the cache holds store paths: a path is there once its narinfo is (narinfos are written last).</summary>
public static class CacheStorePaths
{
    /// <summary>The narinfo key of <paramref name="storePath"/>, or null when it is no store path.</summary>
    public static string? NarInfoKey(string storePath) =>
        StorePath.TryParse(storePath, out var path) ? path.HashPart + ".narinfo" : null;

    /// <summary>Whether the cache has a narinfo for <paramref name="storePath"/>.</summary>
    public static async Task<bool> HasAsync(this ICacheStorage storage, string storePath, CancellationToken cancellationToken) =>
        NarInfoKey(storePath) is { } key && await storage.LengthAsync(key, cancellationToken) is not null;

    /// <summary>Whether the cache has every one of <paramref name="storePaths"/> (and there is at least one).</summary>
    public static async Task<bool> HasAllAsync(this ICacheStorage storage, IReadOnlyCollection<string> storePaths, CancellationToken cancellationToken)
    {
        if (storePaths.Count == 0)
        {
            return false;
        }

        foreach (var path in storePaths)
        {
            if (!await storage.HasAsync(path, cancellationToken))
            {
                return false;
            }
        }

        return true;
    }
}
