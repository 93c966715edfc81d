namespace Hydra.Core.Nix;

/// <summary>
/// Conversions between the textual forms Nix uses for a SHA-256 hash: <c>sha256:&lt;nixbase32&gt;</c>
/// (what narinfo files and signatures use), <c>sha256:&lt;hex&gt;</c> and SRI <c>sha256-&lt;base64&gt;</c>.
/// </summary>
public static class NixHash
{
    private const int Sha256Length = 32;

    /// <summary>Returns the hash in the <c>sha256:&lt;nixbase32&gt;</c> form.</summary>
    /// <exception cref="FormatException">It is not a SHA-256 hash in a form Nix writes.</exception>
    public static string ToSha256NixBase32(string hash) => "sha256:" + NixBase32.Encode(ParseSha256(hash));

    /// <summary>Decodes a SHA-256 hash in any of Nix's forms.</summary>
    /// <exception cref="FormatException">It is not a SHA-256 hash in a form Nix writes.</exception>
    public static byte[] ParseSha256(string hash)
    {
        ArgumentNullException.ThrowIfNull(hash);
        byte[] bytes;
        if (hash.StartsWith("sha256:", StringComparison.Ordinal))
        {
            var digest = hash["sha256:".Length..];
            bytes = digest.Length switch
            {
                64 => FromHex(digest, hash),
                52 => NixBase32.Decode(digest),
                44 => FromBase64(digest, hash),
                _ => throw new FormatException($"'{hash}' is not a SHA-256 hash in hex, Nix base32 or base64."),
            };
        }
        else if (hash.StartsWith("sha256-", StringComparison.Ordinal))
        {
            bytes = FromBase64(hash["sha256-".Length..], hash);
        }
        else
        {
            throw new FormatException($"'{hash}' is not a SHA-256 hash (expected 'sha256:' or 'sha256-').");
        }

        return bytes.Length == Sha256Length
            ? bytes
            : throw new FormatException($"'{hash}' does not hold 32 bytes.");
    }

    private static byte[] FromHex(string digest, string hash)
    {
        foreach (var c in digest)
        {
            if (!char.IsAsciiHexDigit(c))
            {
                throw new FormatException($"'{hash}' has an invalid hex digit '{c}'.");
            }
        }

        return Convert.FromHexString(digest);
    }

    private static byte[] FromBase64(string digest, string hash)
    {
        var bytes = new byte[Sha256Length + 2];
        return Convert.TryFromBase64String(digest, bytes, out var written) && written == Sha256Length
            ? bytes[..written]
            : throw new FormatException($"'{hash}' is not 32 bytes of base64.");
    }
}
