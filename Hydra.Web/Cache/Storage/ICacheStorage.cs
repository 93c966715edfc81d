namespace Hydra.Web.Cache.Storage;

/// <summary>
/// Where the cache's files live: a directory (<see cref="DirectoryCacheStorage"/>, the default) or an
/// S3-compatible bucket (<see cref="S3CacheStorage"/>). Keys are the paths Nix uses relative to the cache
/// root: <c>nix-cache-info</c>, <c>&lt;hash&gt;.narinfo</c>, <c>nar/&lt;file&gt;</c>, <c>log/&lt;drv&gt;</c>,
/// always checked by <see cref="CacheNames"/> first. A write is visible whole or not at all.
/// </summary>
public interface ICacheStorage
{
    /// <summary>How to send the object at <paramref name="key"/>, or null when there is none.</summary>
    Task<CacheObject?> GetAsync(string key, CancellationToken cancellationToken);

    /// <summary>The size in bytes of the object at <paramref name="key"/>, or null when there is none.</summary>
    Task<long?> LengthAsync(string key, CancellationToken cancellationToken);

    /// <summary>A small object's text (a narinfo), or null when there is none.</summary>
    Task<string?> ReadTextAsync(string key, CancellationToken cancellationToken);

    /// <summary>
    /// Streams <paramref name="source"/> to <paramref name="key"/>, refusing more than <paramref name="maxBytes"/>
    /// bytes and, when <paramref name="expectedSha256NixBase32"/> is given, content whose SHA-256 differs.
    /// Nothing becomes visible unless the whole write succeeds (a temporary name, then a rename or a single PUT).
    /// </summary>
    Task<CacheWriteResult> WriteAsync(
        string key, Stream source, long maxBytes, string? expectedSha256NixBase32, CancellationToken cancellationToken);

    /// <summary>Every store path with a narinfo, with the NAR its narinfo points to; for garbage collection.</summary>
    IAsyncEnumerable<CachedStorePath> ListStorePathsAsync(CancellationToken cancellationToken);

    /// <summary>
    /// Deletes a store path from the cache: its narinfo first (so no reader is sent to a missing NAR), then,
    /// when <paramref name="deleteNar"/>, the NAR it pointed to. NAR names are content hashes, so two store paths
    /// with identical contents share one NAR: the caller passes false when a path it keeps lists the same
    /// <see cref="CachedStorePath.NarKey"/>. Deleting what is not there does nothing.
    /// </summary>
    Task DeleteStorePathAsync(CachedStorePath path, bool deleteNar, CancellationToken cancellationToken);
}
