using System.Text;
using Hydra.Core.Nix;
using Hydra.Core.Storage;
using Microsoft.Extensions.Options;

namespace Hydra.Web.Cache;

/// <summary>
/// Checks what workers upload before it becomes visible: NAR files must match the hash in their name,
/// narinfos must describe a NAR already uploaded (its size, its file hash and, when the cache recompressed it, the
/// NAR hash and size measured then), and every narinfo is re-signed with the farm key (workers never hold it, and
/// their own signatures are dropped).
/// </summary>
public sealed partial class CacheUploads(
    ICacheStorage storage, NarRecompressor recompressor, CacheNarIndex narIndex, CacheSigningKey signingKey, IOptions<CacheOptions> options,
    ILogger<CacheUploads> logger)
{
    /// <summary>Stores a NAR file; <paramref name="fileName"/> is checked here.</summary>
    public async Task<UploadResult> PutNarAsync(string fileName, Stream body, long? contentLength, string worker, CancellationToken cancellationToken)
    {
        if (!CacheNames.IsFileName(fileName))
        {
            return UploadResult.Invalid($"'{fileName}' is not a valid NAR file name.");
        }

        var max = options.Value.MaxNarSize;
        if (contentLength > max)
        {
            return UploadResult.TooLarge($"NAR of {contentLength} bytes is larger than the cache's limit of {max} bytes.");
        }

        CacheWriteResult result;
        string? storedKey;
        if (recompressor.Recompresses(fileName))
        {
            var (recompressed, nar) = await recompressor.StoreAsync(fileName, body, max, cancellationToken);
            (result, storedKey) = (recompressed, nar?.StoredKey);
        }
        else
        {
            storedKey = "nar/" + fileName;
            result = await storage.WriteAsync(storedKey, body, max, CacheNames.FileHashFromNarName(fileName), cancellationToken);
        }

        switch (result)
        {
            case CacheWriteResult.TooLarge:
                return UploadResult.TooLarge($"NAR is larger than the cache's limit of {max} bytes.");
            case CacheWriteResult.HashMismatch:
                LogRejected(logger, "nar/" + fileName, worker, "content does not match the hash in its name");
                return UploadResult.Invalid($"The SHA-256 of the uploaded file does not match its name '{fileName}'.");
            default:
                await narIndex.RecordUploadAsync(storedKey!, cancellationToken);
                LogStored(logger, "nar/" + fileName, worker);
                return UploadResult.Stored;
        }
    }

    /// <summary>Checks, re-signs and stores a narinfo for the store path whose hash part is <paramref name="hashPart"/>.</summary>
    public async Task<UploadResult> PutNarInfoAsync(string hashPart, Stream body, string worker, CancellationToken cancellationToken)
    {
        if (!CacheNames.IsHashPart(hashPart))
        {
            return UploadResult.Invalid($"'{hashPart}' is not a store path hash.");
        }

        var text = await ReadTextAsync(body, options.Value.MaxNarInfoSize, cancellationToken);
        if (text is null)
        {
            return UploadResult.TooLarge($"narinfo is larger than {options.Value.MaxNarInfoSize} bytes.");
        }

        NarInfo info;
        try
        {
            info = NarInfo.Parse(text);
        }
        catch (FormatException e)
        {
            return UploadResult.Invalid("Malformed narinfo: " + e.Message);
        }

        var error = await CheckAsync(hashPart, info, cancellationToken);
        if (error is not null)
        {
            LogRejected(logger, hashPart + ".narinfo", worker, error);
            return UploadResult.Invalid(error);
        }

        // The NAR is guarded like this path from the moment its narinfo can be read.
        await narIndex.RecordStorePathAsync(info.Url, info.StorePath, cancellationToken);

        // Only the farm vouches for what it serves.
        info.Sigs.Clear();
        info.SignWith(await signingKey.GetAsync(cancellationToken));
        using var signed = new MemoryStream(Encoding.UTF8.GetBytes(info.ToText()));
        await storage.WriteAsync(hashPart + ".narinfo", signed, long.MaxValue, null, cancellationToken);
        LogStored(logger, hashPart + ".narinfo", worker);
        return UploadResult.Stored;
    }

    /// <summary>Stores a build log under <c>log/&lt;drv base name&gt;</c>.</summary>
    public async Task<UploadResult> PutLogAsync(string drvName, Stream body, string worker, CancellationToken cancellationToken)
    {
        if (!CacheNames.IsLogName(drvName))
        {
            return UploadResult.Invalid($"'{drvName}' is not a derivation name.");
        }

        var max = options.Value.MaxLogSize;
        if (await storage.WriteAsync("log/" + drvName, body, max, null, cancellationToken) == CacheWriteResult.TooLarge)
        {
            return UploadResult.TooLarge($"Log is larger than the cache's limit of {max} bytes.");
        }

        LogStored(logger, "log/" + drvName, worker);
        return UploadResult.Stored;
    }

    private async Task<string?> CheckAsync(string hashPart, NarInfo info, CancellationToken cancellationToken)
    {
        var storePath = StorePath.Parse(info.StorePath);
        if (storePath.HashPart != hashPart)
        {
            return $"narinfo is for {info.StorePath}, not for hash {hashPart}.";
        }

        if (!CacheNames.TryGetNarFileName(info.Url, out var narName))
        {
            return $"narinfo URL '{info.Url}' must be 'nar/<file name>'.";
        }

        if (recompressor.Recompresses(narName))
        {
            return await CheckRecompressedAsync(info, narName, cancellationToken);
        }

        if (await storage.LengthAsync("nar/" + narName, cancellationToken) is not { } length)
        {
            return $"narinfo refers to {info.Url}, which has not been uploaded; upload the NAR first.";
        }

        if (info.FileSize is { } size && size != length)
        {
            return $"narinfo says FileSize {size}, but {info.Url} has {length} bytes.";
        }

        // The NAR's name hash was verified on upload, so it stands for the file's hash.
        // Nix writes FileHash as sha256:<nixbase32>, the same text as the name.
        if (info.FileHash is not null && CacheNames.FileHashFromNarName(narName) is { } nameHash && info.FileHash != "sha256:" + nameHash)
        {
            return $"narinfo FileHash {info.FileHash} does not match {info.Url}.";
        }

        return null;
    }

    /// <summary>Checks a narinfo against what recompressing its NAR measured, then points it at the stored zstd file.</summary>
    private async Task<string?> CheckRecompressedAsync(NarInfo info, string narName, CancellationToken cancellationToken)
    {
        if (await recompressor.FindAsync(narName, cancellationToken) is not { } nar)
        {
            return $"narinfo refers to {info.Url}, which has not been uploaded (recently); upload the NAR first.";
        }

        if (info.FileSize is { } size && size != nar.UploadedFileSize)
        {
            return $"narinfo says FileSize {size}, but {info.Url} has {nar.UploadedFileSize} bytes.";
        }

        if (info.FileHash is not null && info.FileHash != "sha256:" + nar.UploadedFileHash)
        {
            return $"narinfo FileHash {info.FileHash} does not match {info.Url}.";
        }

        if (info.NarHash != nar.NarHash || info.NarSize != nar.NarSize)
        {
            return $"narinfo says NarHash {info.NarHash} and NarSize {info.NarSize}, but {info.Url} decompresses to {nar.NarHash}, {nar.NarSize} bytes.";
        }

        info.Url = nar.StoredKey;
        info.Compression = "zstd";
        info.FileHash = "sha256:" + nar.StoredFileHash;
        info.FileSize = nar.StoredFileSize;
        return null;
    }

    /// <summary>Reads a small UTF-8 body, or null when it exceeds <paramref name="maxBytes"/>.</summary>
    private static async Task<string?> ReadTextAsync(Stream body, long maxBytes, CancellationToken cancellationToken)
    {
        using var buffer = new MemoryStream();
        var chunk = new byte[16 * 1024];
        int read;
        while ((read = await body.ReadAsync(chunk, cancellationToken)) > 0)
        {
            if (buffer.Length + read > maxBytes)
            {
                return null;
            }

            buffer.Write(chunk, 0, read);
        }

        return Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length);
    }

    [LoggerMessage(EventId = 3101, Level = LogLevel.Information, Message = "Cache stored {CachePath} from worker {Worker}")]
    private static partial void LogStored(ILogger logger, string cachePath, string worker);

    [LoggerMessage(EventId = 3102, Level = LogLevel.Warning, Message = "Cache rejected {CachePath} from worker {Worker}: {Reason}")]
    private static partial void LogRejected(ILogger logger, string cachePath, string worker, string reason);
}
