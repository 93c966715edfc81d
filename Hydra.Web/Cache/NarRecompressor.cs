using System.Diagnostics;
using System.Globalization;
using System.IO.Compression;
using Hydra.Core;
using Hydra.Core.Nix;
using Hydra.Core.Storage;
using Microsoft.Extensions.Caching.Memory;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Hydra.Web.Cache;

/// <summary>
/// Compresses NARs once, at upload: workers send brotli (fast to write) or nothing, and the cache stores zstd (fast
/// to read, a better ratio), so every download is the same static bytes. The upload is staged and checked against the
/// hash in its name, decompressed (measuring the NAR's own hash and size, which the narinfo must then match) and piped
/// through the <c>zstd</c> program. The result is recorded by the uploaded name in PostgreSQL
/// (<c>cache_recompressed_nars</c>) and remembered in memory for an hour, for the narinfo upload that follows, which
/// may come after a restart or to another web process; a second upload of the same file is checked and not
/// recompressed again while the stored file is there.
/// </summary>
public sealed class NarRecompressor(
    ICacheStorage storage, IMemoryCache memory, NpgsqlDataSource db, IOptions<CacheOptions> options, IOptions<HydraOptions> hydraOptions)
{
    private const int BufferSize = 128 * 1024;
    private static readonly TimeSpan s_rememberFor = TimeSpan.FromHours(1);

    /// <summary>Whether an upload named <paramref name="fileName"/> is recompressed rather than stored as sent.</summary>
    public bool Recompresses(string fileName) =>
        options.Value.Compression == "zstd"
        && CacheNames.FileHashFromNarName(fileName) is not null
        && (fileName.EndsWith(".nar", StringComparison.Ordinal) || fileName.EndsWith(".nar.br", StringComparison.Ordinal));

    /// <summary>
    /// The recompression an earlier upload named <paramref name="fileName"/> produced, if recorded and its stored file is
    /// still there (garbage collection may have deleted it): a narinfo is never pointed at a missing file.
    /// </summary>
    public async Task<RecompressedNar?> FindAsync(string fileName, CancellationToken cancellationToken)
    {
        if (!memory.TryGetValue(Key(fileName), out RecompressedNar? nar) || nar is null)
        {
            await using var command = db.CreateCommand(
                """
                SELECT uploaded_file_hash, uploaded_file_size, nar_hash, nar_size, stored_key, stored_file_hash, stored_file_size
                FROM cache_recompressed_nars WHERE uploaded_name = @name
                """);
            command.Parameters.AddWithValue("name", fileName);
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            if (!await reader.ReadAsync(cancellationToken))
            {
                return null;
            }

            nar = new RecompressedNar(
                reader.GetString(0), reader.GetInt64(1), reader.GetString(2), reader.GetInt64(3), reader.GetString(4), reader.GetString(5), reader.GetInt64(6));
        }

        if (await storage.LengthAsync(nar.StoredKey, cancellationToken) != nar.StoredFileSize)
        {
            memory.Remove(Key(fileName));
            return null;
        }

        memory.Set(Key(fileName), nar, s_rememberFor);
        return nar;
    }

    /// <summary>Stages, checks, recompresses and stores an upload named <paramref name="fileName"/> (see <see cref="Recompresses"/>).</summary>
    public async Task<(CacheWriteResult Result, RecompressedNar? Nar)> StoreAsync(
        string fileName, Stream body, long maxBytes, CancellationToken cancellationToken)
    {
        if (await FindAsync(fileName, cancellationToken) is { } earlier)
        {
            // The same file (its name is its hash) was recompressed before: check this upload and keep what is stored.
            var (length, hash) = await HashingCopy.CopyAsync(body, Stream.Null, maxBytes, cancellationToken);
            return hash is null ? (CacheWriteResult.TooLarge, null)
                : hash != CacheNames.FileHashFromNarName(fileName) || length != earlier.UploadedFileSize ? (CacheWriteResult.HashMismatch, null)
                : (CacheWriteResult.Stored, earlier);
        }

        var staging = Path.Combine(hydraOptions.Value.DataDir, "tmp", "cache-uploads");
        Directory.CreateDirectory(staging);
        await using var uploaded = TemporaryFile(staging);
        var (uploadedLength, uploadedHash) = await HashingCopy.CopyAsync(body, uploaded, maxBytes, cancellationToken);
        if (uploadedHash is null)
        {
            return (CacheWriteResult.TooLarge, null);
        }

        if (uploadedHash != CacheNames.FileHashFromNarName(fileName))
        {
            return (CacheWriteResult.HashMismatch, null);
        }

        uploaded.Position = 0;
        await using var compressed = TemporaryFile(staging);
        var (narSize, narHash) = await CompressAsync(
            fileName.EndsWith(".br", StringComparison.Ordinal) ? new BrotliStream(uploaded, CompressionMode.Decompress, leaveOpen: true) : uploaded,
            compressed, cancellationToken);

        compressed.Position = 0;
        var (storedLength, storedHash) = await HashingCopy.CopyAsync(compressed, Stream.Null, long.MaxValue, cancellationToken);
        compressed.Position = 0;
        // Neither copy has a limit, so both hashes are there.
        var key = $"nar/{storedHash!}.nar.zst";
        var result = await storage.WriteAsync(key, compressed, long.MaxValue, storedHash, cancellationToken);
        var nar = new RecompressedNar(uploadedHash, uploadedLength, "sha256:" + narHash, narSize, key, storedHash!, storedLength);
        await RecordAsync(fileName, nar, cancellationToken);
        memory.Set(Key(fileName), nar, s_rememberFor);
        return (result, nar);
    }

    /// <summary>Records a recompression once its file is stored, replacing an earlier one whose file is gone.</summary>
    private async Task RecordAsync(string fileName, RecompressedNar nar, CancellationToken cancellationToken)
    {
        await using var command = db.CreateCommand(
            """
            INSERT INTO cache_recompressed_nars
                (uploaded_name, uploaded_file_hash, uploaded_file_size, nar_hash, nar_size, stored_key, stored_file_hash, stored_file_size)
            VALUES (@name, @uploadedHash, @uploadedSize, @narHash, @narSize, @storedKey, @storedHash, @storedSize)
            ON CONFLICT (uploaded_name) DO UPDATE SET
                uploaded_file_hash = excluded.uploaded_file_hash, uploaded_file_size = excluded.uploaded_file_size,
                nar_hash = excluded.nar_hash, nar_size = excluded.nar_size, stored_key = excluded.stored_key,
                stored_file_hash = excluded.stored_file_hash, stored_file_size = excluded.stored_file_size, created_at = now()
            """);
        command.Parameters.AddWithValue("name", fileName);
        command.Parameters.AddWithValue("uploadedHash", nar.UploadedFileHash);
        command.Parameters.AddWithValue("uploadedSize", nar.UploadedFileSize);
        command.Parameters.AddWithValue("narHash", nar.NarHash);
        command.Parameters.AddWithValue("narSize", nar.NarSize);
        command.Parameters.AddWithValue("storedKey", nar.StoredKey);
        command.Parameters.AddWithValue("storedHash", nar.StoredFileHash);
        command.Parameters.AddWithValue("storedSize", nar.StoredFileSize);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    /// <summary>Decompressed NAR → zstd → <paramref name="target"/>, hashing the NAR on the way in.</summary>
    private async Task<(long Size, string Hash)> CompressAsync(Stream nar, Stream target, CancellationToken cancellationToken)
    {
        var startInfo = new ProcessStartInfo("zstd")
        {
            UseShellExecute = false,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var argument in new[] { "-q", "-c", "--no-progress", "-" + options.Value.ZstdLevel.ToString(CultureInfo.InvariantCulture) })
        {
            startInfo.ArgumentList.Add(argument);
        }

        using var process = Process.Start(startInfo) ?? throw new InvalidOperationException("Could not start zstd.");
        try
        {
            var output = process.StandardOutput.BaseStream.CopyToAsync(target, cancellationToken);
            var errors = process.StandardError.ReadToEndAsync(cancellationToken);
            long size;
            string? hash;
            await using (var input = process.StandardInput.BaseStream)
            {
                (size, hash) = await HashingCopy.CopyAsync(nar, input, long.MaxValue, cancellationToken);
            }

            await output;
            await process.WaitForExitAsync(cancellationToken);
            return process.ExitCode == 0
                ? (size, hash!)
                : throw new IOException($"zstd exited with {process.ExitCode}: {await errors}");
        }
        catch
        {
            if (!process.HasExited)
            {
                process.Kill();
            }

            throw;
        }
    }

    private static FileStream TemporaryFile(string directory) =>
        new(Path.Combine(directory, Guid.NewGuid().ToString("N") + ".tmp"), FileMode.CreateNew, FileAccess.ReadWrite, FileShare.None, BufferSize,
            FileOptions.DeleteOnClose | FileOptions.Asynchronous);

    private static string Key(string fileName) => "hydra:cache-recompressed:" + fileName;
}
