using System.IO.Compression;
using System.Security.Cryptography;
using Hydra.Builder.Nix.Serve;
using Hydra.Core.Nix;

namespace Hydra.Builder.Upload;

/// <summary>
/// A store path's NAR, compressed, ready to upload: in memory when small, else in a temporary file (in the
/// worker's directory, not /tmp, which may be a small tmpfs) that disappears on dispose. Built from <c>cmdDumpStorePath</c>, with the NAR's SHA-256 checked against the
/// store's path info on the way, so a NAR that does not match what the store registered is never uploaded.
/// </summary>
internal sealed class NarFile : IAsyncDisposable
{
    private const long InMemoryUpTo = 1024 * 1024;
    private readonly Stream _stored;

    private NarFile(Stream stored, string fileHash)
    {
        _stored = stored;
        FileHash = fileHash;
        Length = stored.Length;
    }

    /// <summary>SHA-256 of the compressed file in Nix base32, as Nix names NAR files.</summary>
    public string FileHash { get; }

    /// <summary>Bytes of the compressed file.</summary>
    public long Length { get; }

    /// <exception cref="InvalidDataException">The NAR's hash differs from the one the store registered.</exception>
    public static async Task<NarFile> CreateAsync(
        ServePathInfo info, string compression, NixServePool serve, string tempDirectory, CancellationToken cancellationToken)
    {
        if (info.NarSize > InMemoryUpTo)
        {
            Directory.CreateDirectory(tempDirectory);
        }

        Stream stored = info.NarSize <= InMemoryUpTo
            ? new MemoryStream()
            : new FileStream(Path.Combine(tempDirectory, Guid.NewGuid().ToString("N") + ".nar"), FileMode.CreateNew, FileAccess.ReadWrite, FileShare.None, 64 * 1024,
                FileOptions.DeleteOnClose | FileOptions.Asynchronous);
        try
        {
            using var narHash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
            var sink = compression == "br" ? new BrotliStream(stored, CompressionLevel.Fastest, leaveOpen: true) : stored;
            await serve.UseAsync(async session =>
            {
                await session.DumpStorePathAsync(info.Path, info.NarSize, async (chunk, ct) =>
                {
                    narHash.AppendData(chunk.Span);
                    await sink.WriteAsync(chunk, ct);
                }, cancellationToken);
                return true;
            }, cancellationToken);
            if (sink != stored)
            {
                await sink.DisposeAsync();
            }

            var expected = ExpectedNarHash(info);
            var actual = narHash.GetHashAndReset();
            if (!actual.AsSpan().SequenceEqual(expected))
            {
                throw new InvalidDataException(
                    $"The NAR of {info.Path} hashes to sha256:{NixBase32.Encode(actual)}, but the store registered {info.NarHash}.");
            }

            stored.Position = 0;
            var fileHash = NixBase32.Encode(await SHA256.HashDataAsync(stored, cancellationToken));
            return new NarFile(stored, fileHash);
        }
        catch
        {
            await stored.DisposeAsync();
            throw;
        }
    }

    /// <summary>The stored bytes from the start, for the one upload (which may dispose the stream).</summary>
    public Stream Open()
    {
        _stored.Position = 0;
        return _stored;
    }

    public ValueTask DisposeAsync() => _stored.DisposeAsync();

    private static byte[] ExpectedNarHash(ServePathInfo info)
    {
        const string prefix = "sha256:";
        if (!info.NarHash.StartsWith(prefix, StringComparison.Ordinal))
        {
            throw new InvalidDataException($"The store gave {info.Path} the NAR hash '{info.NarHash}', not a sha256: hash.");
        }

        return NixBase32.Decode(info.NarHash[prefix.Length..]);
    }
}
