using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Hydra.Core;
using Hydra.Core.Nix;
using Microsoft.Extensions.Options;

namespace Hydra.Web.Cache;

/// <summary>
/// The binary cache on disk, laid out exactly like Nix's <c>file://</c> store so that
/// <c>nix copy --to file://&lt;CacheDir&gt;</c> and HTTP uploads share it:
/// <c>nix-cache-info</c>, <c>&lt;hash&gt;.narinfo</c>, <c>nar/&lt;file&gt;</c>, <c>log/&lt;drv&gt;</c>.
/// Every write goes to a temporary file in the target's directory and is renamed into place, so a
/// reader never sees a partial file. Callers pass names already checked by <see cref="CacheNames"/>.
/// </summary>
public sealed class CacheStore
{
    private const int BufferSize = 128 * 1024;

    public CacheStore(IOptions<HydraOptions> hydraOptions, IOptions<CacheOptions> cacheOptions)
    {
        Root = Path.GetFullPath(hydraOptions.Value.CacheDir);
        CacheInfo = string.Create(CultureInfo.InvariantCulture,
            $"StoreDir: {StorePath.StoreDir}\nWantMassQuery: 1\nPriority: {cacheOptions.Value.Priority}\n");
    }

    /// <summary>Absolute path of the cache directory.</summary>
    public string Root { get; }

    /// <summary>The body of <c>nix-cache-info</c>.</summary>
    public string CacheInfo { get; }

    public string NarInfoPath(string hashPart) => Path.Combine(Root, hashPart + ".narinfo");

    public string NarPath(string fileName) => Path.Combine(Root, "nar", fileName);

    public string LogPath(string drvName) => Path.Combine(Root, "log", drvName);

    /// <summary>Creates the directories and a <c>nix-cache-info</c> so the directory is a valid cache for Nix too.</summary>
    public async Task EnsureLayoutAsync(CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(Path.Combine(Root, "nar"));
        Directory.CreateDirectory(Path.Combine(Root, "log"));
        var cacheInfoPath = Path.Combine(Root, "nix-cache-info");
        if (!File.Exists(cacheInfoPath))
        {
            await WriteTextAsync(cacheInfoPath, CacheInfo, cancellationToken);
        }
    }

    /// <summary>Writes <paramref name="text"/> to <paramref name="path"/> atomically.</summary>
    public async Task WriteTextAsync(string path, string text, CancellationToken cancellationToken)
    {
        using var source = new MemoryStream(Encoding.UTF8.GetBytes(text));
        await WriteAsync(path, source, long.MaxValue, expectedSha256NixBase32: null, cancellationToken);
    }

    /// <summary>
    /// Streams <paramref name="source"/> to <paramref name="path"/> atomically, refusing more than
    /// <paramref name="maxBytes"/> bytes and, when <paramref name="expectedSha256NixBase32"/> is given,
    /// content whose SHA-256 differs. On refusal or error the temporary file is removed.
    /// </summary>
    public async Task<CacheWriteResult> WriteAsync(
        string path, Stream source, long maxBytes, string? expectedSha256NixBase32, CancellationToken cancellationToken)
    {
        var directory = Path.GetDirectoryName(path)!;
        Directory.CreateDirectory(directory);

        // Same directory as the target, so the rename cannot cross file systems; the leading dot keeps
        // it out of every name CacheNames accepts, so it is never served.
        var temporary = Path.Combine(directory, "." + Path.GetFileName(path) + "." + Guid.NewGuid().ToString("N") + ".tmp");
        try
        {
            using var sha256 = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
            await using (var target = new FileStream(temporary, FileMode.CreateNew, FileAccess.Write, FileShare.None, BufferSize, useAsync: true))
            {
                var buffer = new byte[BufferSize];
                long length = 0;
                int read;
                while ((read = await source.ReadAsync(buffer, cancellationToken)) > 0)
                {
                    length += read;
                    if (length > maxBytes)
                    {
                        return CacheWriteResult.TooLarge;
                    }

                    sha256.AppendData(buffer, 0, read);
                    await target.WriteAsync(buffer.AsMemory(0, read), cancellationToken);
                }

                await target.FlushAsync(cancellationToken);
            }

            if (expectedSha256NixBase32 is not null && NixBase32.Encode(sha256.GetHashAndReset()) != expectedSha256NixBase32)
            {
                return CacheWriteResult.HashMismatch;
            }

            File.Move(temporary, path, overwrite: true);
            return CacheWriteResult.Stored;
        }
        finally
        {
            File.Delete(temporary);
        }
    }
}
