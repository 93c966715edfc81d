using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using Microsoft.Extensions.Options;

namespace Hydra.Core.Storage;

/// <summary>
/// The cache in a directory, laid out exactly like Nix's <c>file://</c> store so that
/// <c>nix copy --to file://&lt;CacheDir&gt;</c> (the evaluator) and HTTP uploads share it, and any static
/// file server could serve it. Every write goes to a temporary file in the target's directory and is renamed
/// into place, so a reader never sees a partial file.
/// Narinfos, the cache's hot path, are kept in memory for <see cref="NarInfoLifetime"/> once read: a hit is then
/// a dictionary look-up and one write, with no file opened. Writes and deletes through this class drop the entry at
/// once; a narinfo another process rewrites in place (the evaluator's <c>nix copy</c> re-signing one) is seen within
/// the lifetime. Misses are never remembered, so a new narinfo is served as soon as it exists.
/// </summary>
public sealed class DirectoryCacheStorage : ICacheStorage
{
    private const int BufferSize = 128 * 1024;
    private const int MaxRememberedNarInfos = 200_000;
    private static readonly TimeSpan NarInfoLifetime = TimeSpan.FromSeconds(30);
    private readonly ConcurrentDictionary<string, (byte[] Bytes, long ReadAt)> _narInfos = new(StringComparer.Ordinal);
    private readonly TimeProvider _clock;

    /// <summary>The cache in <paramref name="root"/>.</summary>
    public DirectoryCacheStorage(string root, TimeProvider clock)
    {
        Root = Path.GetFullPath(root);
        _clock = clock;
    }

    /// <summary>The farm's cache, <see cref="HydraOptions.CacheDir"/>.</summary>
    public DirectoryCacheStorage(IOptions<HydraOptions> hydraOptions, TimeProvider clock)
        : this(hydraOptions.Value.CacheDir, clock)
    {
    }

    /// <summary>Absolute path of the cache directory.</summary>
    public string Root { get; }

    public string? LocalDirectory => Root;

    /// <summary>The file behind <paramref name="key"/> (a name <see cref="CacheNames"/> accepted).</summary>
    public string PathOf(string key) => Path.Combine(Root, key);

    public Task<CacheObject?> GetAsync(string key, CancellationToken cancellationToken)
    {
        var path = PathOf(key);
        if (!key.EndsWith(".narinfo", StringComparison.Ordinal))
        {
            return Task.FromResult<CacheObject?>(File.Exists(path) ? new CacheObject.LocalFile(path) : null);
        }

        var now = _clock.GetTimestamp();
        if (_narInfos.TryGetValue(key, out var known) && _clock.GetElapsedTime(known.ReadAt, now) < NarInfoLifetime)
        {
            return Task.FromResult<CacheObject?>(new CacheObject.Content(known.Bytes));
        }

        byte[] bytes;
        try
        {
            bytes = File.ReadAllBytes(path);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            _narInfos.TryRemove(key, out _);
            return Task.FromResult<CacheObject?>(null);
        }

        if (_narInfos.Count >= MaxRememberedNarInfos)
        {
            // Crude but bounded: start over rather than track recency on every hit.
            _narInfos.Clear();
        }

        _narInfos[key] = (bytes, now);
        return Task.FromResult<CacheObject?>(new CacheObject.Content(bytes));
    }

    public Task<long?> LengthAsync(string key, CancellationToken cancellationToken)
    {
        var file = new FileInfo(PathOf(key));
        return Task.FromResult<long?>(file.Exists ? file.Length : null);
    }

    public async Task<string?> ReadTextAsync(string key, CancellationToken cancellationToken)
    {
        try
        {
            return await File.ReadAllTextAsync(PathOf(key), cancellationToken);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            return null;
        }
    }

    /// <summary>Creates the directories, so the directory is a valid cache for Nix too.</summary>
    public void EnsureLayout()
    {
        Directory.CreateDirectory(Path.Combine(Root, "nar"));
        Directory.CreateDirectory(Path.Combine(Root, "log"));
    }

    public async Task<CacheWriteResult> WriteAsync(
        string key, Stream source, long maxBytes, string? expectedSha256NixBase32, CancellationToken cancellationToken)
    {
        var path = PathOf(key);
        var directory = Path.GetDirectoryName(path)!;
        Directory.CreateDirectory(directory);

        // Same directory as the target, so the rename cannot cross file systems; the leading dot keeps
        // it out of every name CacheNames accepts, so it is never served.
        var temporary = Path.Combine(directory, "." + Path.GetFileName(path) + "." + Guid.NewGuid().ToString("N") + ".tmp");
        try
        {
            string? hash;
            await using (var target = new FileStream(temporary, FileMode.CreateNew, FileAccess.Write, FileShare.None, BufferSize, useAsync: true))
            {
                (_, hash) = await HashingCopy.CopyAsync(source, target, maxBytes, cancellationToken);
                await target.FlushAsync(cancellationToken);
            }

            if (hash is null)
            {
                return CacheWriteResult.TooLarge;
            }

            if (expectedSha256NixBase32 is not null && hash != expectedSha256NixBase32)
            {
                return CacheWriteResult.HashMismatch;
            }

            File.Move(temporary, path, overwrite: true);
            _narInfos.TryRemove(key, out _);
            return CacheWriteResult.Stored;
        }
        finally
        {
            File.Delete(temporary);
        }
    }

    public Task<Stream?> OpenReadAsync(string key, CancellationToken cancellationToken)
    {
        try
        {
            return Task.FromResult<Stream?>(new FileStream(PathOf(key), FileMode.Open, FileAccess.Read, FileShare.Read, BufferSize, useAsync: true));
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            return Task.FromResult<Stream?>(null);
        }
    }

    public async IAsyncEnumerable<CacheEntry> ListAsync(string directory, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var folder = new DirectoryInfo(Path.Combine(Root, directory));
        if (!folder.Exists)
        {
            yield break;
        }

        foreach (var file in folder.EnumerateFiles())
        {
            cancellationToken.ThrowIfCancellationRequested();
            // Temporary files of writes in progress start with a dot and are no cache objects yet.
            if (CacheNames.IsFileName(file.Name))
            {
                yield return new CacheEntry(directory + file.Name, file.Length, file.LastWriteTimeUtc);
            }
        }

        await Task.CompletedTask;
    }

    /// <summary>Deletes the file at <paramref name="key"/> and forgets its remembered narinfo; nothing there is no error.</summary>
    public Task DeleteAsync(string key, CancellationToken cancellationToken)
    {
        File.Delete(PathOf(key));
        _narInfos.TryRemove(key, out _);
        return Task.CompletedTask;
    }
}
