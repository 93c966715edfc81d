namespace Hydra.Core.Storage;

/// <summary>
/// Where the binary cache's files live: a directory (<see cref="DirectoryCacheStorage"/>, the default) or an
/// S3-compatible bucket (<see cref="S3CacheStorage"/>). Keys are the paths Nix uses relative to the cache
/// root: <c>nix-cache-info</c>, <c>&lt;hash&gt;.narinfo</c>, <c>nar/&lt;file&gt;</c>, <c>log/&lt;drv&gt;</c>,
/// always checked by <see cref="CacheNames"/> first. A write is visible whole or not at all. Every part of the farm
/// that reads or writes the cache (the web cache, the evaluator's derivation push, the queue's cached-output checks,
/// product downloads, garbage collection) goes through this interface.
/// </summary>
public interface ICacheStorage
{
    /// <summary>
    /// A directory a Nix <c>file://</c> store may write into directly (the cache itself), or null when the cache is
    /// elsewhere and files must go through <see cref="WriteAsync"/> (see <see cref="CacheImport"/>).
    /// </summary>
    string? LocalDirectory { get; }

    /// <summary>How to send the object at <paramref name="key"/>, or null when there is none.</summary>
    Task<CacheObject?> GetAsync(string key, CancellationToken cancellationToken);

    /// <summary>The size in bytes of the object at <paramref name="key"/>, or null when there is none.</summary>
    Task<long?> LengthAsync(string key, CancellationToken cancellationToken);

    /// <summary>A small object's text (a narinfo), or null when there is none.</summary>
    Task<string?> ReadTextAsync(string key, CancellationToken cancellationToken);

    /// <summary>The object's bytes as a stream read from the storage as it goes (never buffered whole), or null when there is none.</summary>
    Task<Stream?> OpenReadAsync(string key, CancellationToken cancellationToken);

    /// <summary>
    /// Streams <paramref name="source"/> to <paramref name="key"/>, refusing more than <paramref name="maxBytes"/>
    /// bytes and, when <paramref name="expectedSha256NixBase32"/> is given, content whose SHA-256 differs.
    /// Nothing becomes visible unless the whole write succeeds (a temporary name, then a rename or a single PUT).
    /// </summary>
    Task<CacheWriteResult> WriteAsync(
        string key, Stream source, long maxBytes, string? expectedSha256NixBase32, CancellationToken cancellationToken);

    /// <summary>
    /// The objects directly under <paramref name="directory"/> (<c>""</c> for the root, or <c>nar/</c>), not those in
    /// deeper directories, with their sizes and last change; for garbage collection. Names <see cref="CacheNames"/>
    /// would refuse (temporary files) are left out.
    /// </summary>
    IAsyncEnumerable<CacheEntry> ListAsync(string directory, CancellationToken cancellationToken);

    /// <summary>Deletes the object at <paramref name="key"/>; deleting what is not there does nothing.</summary>
    Task DeleteAsync(string key, CancellationToken cancellationToken);
}
