using System.Diagnostics;
using System.Globalization;
using System.IO.Compression;
using Hydra.Core;
using Hydra.Core.Nix;
using Hydra.Core.Storage;
using Microsoft.Extensions.Caching.Memory;
using Microsoft.Extensions.Options;

namespace Hydra.Web.Cache;

/// <summary>
/// Compresses NARs once, at upload: workers send brotli (fast to write) or nothing, and the cache stores zstd (fast
/// to read, a better ratio), so every download is the same static bytes. The upload is staged and checked against the
/// hash in its name, decompressed (measuring the NAR's own hash and size, which the narinfo must then match) and piped
/// through the <c>zstd</c> program. The result is remembered for an hour by the uploaded name, for the narinfo upload
/// that follows; a narinfo after a restart finds nothing and is refused, and the worker retries the whole path.
/// </summary>
public sealed class NarRecompressor(ICacheStorage storage, IMemoryCache memory, IOptions<CacheOptions> options, IOptions<HydraOptions> hydraOptions)
{
    private const int BufferSize = 128 * 1024;
    private static readonly TimeSpan s_rememberFor = TimeSpan.FromHours(1);

    /// <summary>Whether an upload named <paramref name="fileName"/> is recompressed rather than stored as sent.</summary>
    public bool Recompresses(string fileName) =>
        options.Value.Compression == "zstd"
        && CacheNames.FileHashFromNarName(fileName) is not null
        && (fileName.EndsWith(".nar", StringComparison.Ordinal) || fileName.EndsWith(".nar.br", StringComparison.Ordinal));

    /// <summary>The recompression an earlier upload named <paramref name="fileName"/> produced, if remembered.</summary>
    public RecompressedNar? Find(string fileName) => memory.Get<RecompressedNar>(Key(fileName));

    /// <summary>Stages, checks, recompresses and stores an upload named <paramref name="fileName"/> (see <see cref="Recompresses"/>).</summary>
    public async Task<(CacheWriteResult Result, RecompressedNar? Nar)> StoreAsync(
        string fileName, Stream body, long maxBytes, CancellationToken cancellationToken)
    {
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
        memory.Set(Key(fileName), nar, s_rememberFor);
        return (result, nar);
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
