using System.Security.Cryptography;
using Hydra.Core.Nix;

namespace Hydra.Core.Storage;

/// <summary>Copies an upload while counting and hashing it, stopping as soon as it is too large.</summary>
public static class HashingCopy
{
    private const int BufferSize = 128 * 1024;

    /// <summary>
    /// Copies <paramref name="source"/> to <paramref name="target"/>; returns the byte count and the SHA-256 in Nix base32,
    /// or a null hash when the source is longer than <paramref name="maxBytes"/> (then only part was copied).
    /// </summary>
    public static async Task<(long Length, string? Sha256NixBase32)> CopyAsync(
        Stream source, Stream target, long maxBytes, CancellationToken cancellationToken)
    {
        using var sha256 = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var buffer = new byte[BufferSize];
        long length = 0;
        int read;
        while ((read = await source.ReadAsync(buffer, cancellationToken)) > 0)
        {
            length += read;
            if (length > maxBytes)
            {
                return (length, null);
            }

            sha256.AppendData(buffer, 0, read);
            await target.WriteAsync(buffer.AsMemory(0, read), cancellationToken);
        }

        return (length, NixBase32.Encode(sha256.GetHashAndReset()));
    }
}
